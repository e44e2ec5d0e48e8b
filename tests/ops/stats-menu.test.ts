import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/shared/db/database.js';
import { migrateToLatest } from '../../src/shared/db/migrate.js';
import { seedSyntheticGuild } from '../../bench/lib/synthetic.js';
import { tempDir } from '../helpers/app.js';
import { needs } from '../helpers/programs.js';
import { inspectPng } from '../stats/png.js';
import { admin, lastLine, REPO } from './helpers/cli.js';
import { makeFakePi, type FakePi } from './helpers/pi.js';
import { startSshd, type TestSshd } from './helpers/sshd.js';
import { eventually } from '../helpers/world.js';

const GUILD = '900000000000000001';

/** Strips colours and cursor movements, keeping the text a person sees. */
// eslint-disable-next-line no-control-regex -- terminal escape sequences are control characters
const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '').replace(/\r/g, '');

/**
 * The admin tool's charts against a Pi over a real sshd on 127.0.0.1: a temporary folder plays the
 * Pi, with a database of two months of voice life and a release whose admin tool (the one
 * `deploy/backup.sh` runs there) is this checkout's, run from source instead of built (deploy.test.ts
 * covers building releases). The charts are drawn here from a fresh backup brought back over ssh.
 */
const need = needs('sshd');
describe.skipIf(need.missing)(need.title('admin stats --host'), () => {
  let sshd: TestSshd;
  let tmp: ReturnType<typeof tempDir>;
  let pi: FakePi;
  /** An ssh config naming the test sshd `fakepi`, as an operator's ~/.ssh/config names their Pi. */
  let sshConfig: string;

  beforeAll(async () => {
    sshd = await startSshd();
    tmp = tempDir();
    pi = makeFakePi(join(tmp.dir, 'pi'), { repoUrl: 'file:///nonexistent', botPort: 9 });
    const cli = join(pi.root, 'current', 'dist', 'src', 'cli');
    mkdirSync(cli, { recursive: true });
    writeFileSync(
      join(cli, 'admin.js'),
      `import { register } from ${JSON.stringify(join(REPO, 'node_modules/tsx/dist/esm/api/index.mjs'))};\nregister();\nawait import(${JSON.stringify(join(REPO, 'src/cli/admin.ts'))});\n`,
    );
    const database = openDatabase(pi.dbPath);
    await migrateToLatest(database.db);
    await database.db.insertInto('guild_config').values({ guild_id: GUILD, timezone: 'Europe/Paris', created_at: 0, updated_at: 0 }).execute();
    seedSyntheticGuild(database.sqlite, { guildId: GUILD, zone: 'Europe/Paris', members: 20, stays: 800, channels: 2, now: Date.now(), days: 60, seed: 5 });
    await database.close();
    sshConfig = join(tmp.dir, 'ssh_config');
    writeFileSync(
      sshConfig,
      [
        'Host fakepi',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${userInfo().username}`,
        `  IdentityFile ${sshd.identity}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${join(dirname(sshd.sshConfig), 'known_hosts')}`,
        '  StrictHostKeyChecking yes',
        '  LogLevel ERROR',
      ].join('\n') + '\n',
    );
  }, 60_000);

  afterAll(async () => {
    await sshd?.stop();
    tmp?.cleanup();
  });

  it('draws the Pi’s charts here from a fresh, checked backup, and leaves no copy behind on either side', async () => {
    const out = join(tmp.dir, 'charts-cli');
    const leftovers = () =>
      readdirSync('/tmp')
        .filter((f) => f.startsWith('rollcall-download-') || f.startsWith('rollcall-stats-'))
        .sort();
    const before = leftovers();
    const r = await admin(['stats', ...sshd.args(pi.root), '--chart', 'total', '--out', out], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/downloading .*100%/);
    expect(r.stdout).toMatch(/total-30d\.png +\d+×\d+ +\d+ member\(s\), \d+ h in voice in all/);
    expect(inspectPng(readFileSync(join(out, 'total-30d.png'))).variance).toBeGreaterThan(100);
    // No copy of ours stays behind: waited for, since another file's download may have its own in
    // this /tmp for a moment (the files run side by side).
    await eventually(() => expect(leftovers().filter((f) => !before.includes(f))).toEqual([]), 15_000);

    const both = await admin(['stats', ...sshd.args(pi.root), '--chart', 'total', '--out', out, '--db', pi.dbPath]);
    expect(both.code).toBe(1);
    expect(lastLine(both.stderr)).toBe('rollcall admin: --db names a file on this machine; with --host the charts come from the Pi’s database (leave out one or the other)');
  }, 120_000);

  /** `npm run admin` in a real pseudo-terminal (util-linux `script`), driven with the keys an operator presses. */
  function menu(env: NodeJS.ProcessEnv) {
    const child = spawn('script', ['-qfec', `stty cols 140 rows 50; exec ${process.execPath} --import tsx src/cli/admin.ts`, '/dev/null'], {
      cwd: REPO,
      env: { ...process.env, TERM: 'xterm', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (c: Buffer) => (screen += c.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
    let seen = 0;
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    return {
      exited,
      child,
      screen: () => plain(screen),
      /** Waits for `text` after what was already matched, then presses `keys` one at a time. */
      async expectThenPress(text: string, ...keys: string[]) {
        const deadline = Date.now() + 60_000;
        while (plain(screen).indexOf(text, seen) === -1) {
          if (Date.now() > deadline) throw new Error(`the menu never showed "${text}":\n${plain(screen)}`);
          await pause(50);
        }
        seen = plain(screen).indexOf(text, seen) + text.length;
        for (const key of keys) {
          await pause(150); // let the prompt finish drawing
          child.stdin.write(key);
        }
      },
    };
  }
  const ENTER = '\r';
  const DOWN = '\x1b[B';
  const UP = '\x1b[A';
  /** Enough backspaces (in one write) to empty a prefilled answer (`charts/2026-12-04`, a database path). */
  const CLEAR = '\x7f'.repeat(120);

  const script = needs('script');
  it.skipIf(script.missing)(
    script.title('the menu’s "Stats and charts" asks where, which chart, which period and where to write, then draws the Pi’s'),
    async () => {
      const out = join(tmp.dir, 'charts-menu');
      const m = menu({ ROLLCALL_SSH_HOST: 'fakepi', ROLLCALL_SSH_CONFIG: sshConfig, ROLLCALL_ROOT: pi.root });
      try {
        await m.expectThenPress('What would you like to do?', UP, UP, ENTER); // wraps to Quit, then Stats and charts
        await m.expectThenPress('Where?', ENTER); // On the Pi (over ssh)
        await m.expectThenPress('ssh address of the Pi', ENTER); // fakepi, from ROLLCALL_SSH_HOST
        await m.expectThenPress('Which chart?', DOWN, DOWN, DOWN, ENTER); // all, community, duos, total
        await m.expectThenPress('Which period?', DOWN, DOWN, ENTER); // the default, last 7 days, last 30 days
        await m.expectThenPress('Write the PNG files to', CLEAR, out, ENTER);
        await m.expectThenPress('Done.');
        await m.expectThenPress('What would you like to do?', UP, ENTER); // Quit
        expect(await m.exited).toBe(0);
      } finally {
        m.child.kill();
      }
      const text = m.screen();
      expect(text).toContain(`npm run admin -- stats --host fakepi --chart total --range 30d --out ${out}`);
      expect(text).toMatch(/downloading .*100%/);
      expect(text).toContain('1 of 1 chart(s) drawn');
      expect(inspectPng(readFileSync(join(out, 'total-30d.png'))).variance).toBeGreaterThan(100);
    },
    150_000,
  );

  it.skipIf(script.missing)(
    script.title('…or from a database file on this machine, each chart over its own default period'),
    async () => {
      const out = join(tmp.dir, 'charts-here');
      const m = menu({});
      try {
        await m.expectThenPress('What would you like to do?', UP, UP, ENTER);
        await m.expectThenPress('Where?', DOWN, ENTER); // On this machine
        await m.expectThenPress('Database file', CLEAR, pi.dbPath, ENTER);
        await m.expectThenPress('Which chart?', ...Array<string>(7).fill(DOWN), ENTER); // … months, member-months
        await m.expectThenPress('Which period?', ENTER); // the chart's own default: a year
        await m.expectThenPress('Write the PNG files to', CLEAR, out, ENTER);
        await m.expectThenPress('Done.');
        await m.expectThenPress('What would you like to do?', UP, ENTER);
        expect(await m.exited).toBe(0);
      } finally {
        m.child.kill();
      }
      expect(m.screen()).toContain(`npm run admin -- stats --db ${pi.dbPath} --chart member-months --out ${out}`);
      expect(existsSync(join(out, 'member-months-365d.png'))).toBe(true);
    },
    150_000,
  );
});
