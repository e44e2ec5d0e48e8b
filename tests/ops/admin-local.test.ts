import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminError } from '../../src/cli/admin/errors.js';
import { statsAction } from '../../src/cli/admin/local.js';
import { buildProgram } from '../../src/cli/admin/program.js';
import { tempDir } from '../helpers/app.js';
import { GUILD_ID as SOME_GUILD } from '../helpers/interactions.js';
import { startEmulator } from '../../src/sandbox/index.js';
import { admin, lastLine } from './helpers/cli.js';

describe('admin tool, actions on this machine', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir();
  });
  afterAll(() => tmp.cleanup());

  it('every action has --help that says what it does', () => {
    const program = buildProgram();
    const names = program.commands.map((c) => c.name());
    expect(names).toEqual(['register', 'migrate', 'migrate-to-postgres', 'backup', 'download', 'restore', 'deploy', 'status', 'logs', 'test', 'stats']);
    for (const command of program.commands) {
      const flat = (text: string) => text.replace(/\s+/g, ' ');
      expect(flat(command.helpInformation()), command.name()).toContain(flat(command.description()));
    }
    expect(program.commands.find((c) => c.name() === 'deploy')!.helpInformation()).toMatch(/--host <user@host>[\s\S]*--ref <ref>/);
  });

  it('without a terminal and without an action it prints the usage and fails; an unknown action is one line', async () => {
    const none = await admin([]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('Usage: npm run admin -- <action> [options]');
    const unknown = await admin(['deplyo']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error: unknown command 'deplyo'");
    expect(unknown.stderr).toContain('(Did you mean deploy?)');
  }, 30_000);

  it('migrate creates the schema, then reports it is up to date; an unusable path fails in one line', async () => {
    const dbPath = join(tmp.dir, 'm', 'rollcall.sqlite');
    const first = await admin(['migrate', '--database', dbPath]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^applied 2026-11-23-001-guild-config$/m);
    const db = new SQLite(dbPath, { readonly: true });
    expect(db.prepare("select count(*) from sqlite_master where name = 'guild_config'").pluck().get()).toBe(1);
    db.close();

    const second = await admin(['migrate'], { env: { DATABASE_PATH: dbPath } });
    expect(second.stdout.trim()).toBe(`${dbPath} is up to date.`);

    const blocker = join(tmp.dir, 'not-a-folder');
    writeFileSync(blocker, '');
    const bad = await admin(['migrate', '--database', join(blocker, 'rollcall.sqlite')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(lastLine(bad.stderr)).toMatch(/^rollcall admin: cannot open .*not-a-folder\/rollcall\.sqlite: /);
  }, 30_000);

  it('register adds the commands once and changes nothing the second time; missing credentials fail in one line', async () => {
    const emu = await startEmulator();
    try {
      const env = {
        DISCORD_APPLICATION_ID: emu.applicationId,
        DISCORD_PUBLIC_KEY: emu.publicKey,
        DISCORD_TOKEN: emu.token,
        DISCORD_API_URL: emu.api,
      };
      const GUILD_ID = emu.fixture.guildId;
      const first = await admin(['register', '--guild', GUILD_ID], { env });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain(`Commands (guild ${GUILD_ID}):`);
      expect(first.stdout).toContain('+ config (new)');
      const second = await admin(['register', '--guild', GUILD_ID], { env });
      expect(lastLine(second.stdout)).toBe('Nothing to change.');
      expect(emu.events.filter((e) => e.kind === 'rest' && e.method === 'PUT')).toHaveLength(1);
      expect(emu.commands(GUILD_ID).map((c) => c.name)).toContain('config');

      const noToken = await admin(['register'], { env: { ...env, DISCORD_TOKEN: '' } });
      expect(noToken.code).toBe(1);
      expect(lastLine(noToken.stderr)).toBe('rollcall admin: configuration error: DISCORD_TOKEN is missing: set it to the bot token from the Discord developer portal');
    } finally {
      await emu.close();
    }
  }, 40_000);

  it('logs reads journald here, or says in one line that there is no journal', async () => {
    const r = await admin(['logs', '--lines', '3']);
    if (r.code === 0) expect(r.stderr).not.toContain('rollcall admin:');
    else expect(lastLine(r.stderr)).toMatch(/^rollcall admin: journalctl/);
    const bad = await admin(['logs', '--lines', 'many']);
    expect(bad.code).toBe(1);
    expect(lastLine(bad.stderr)).toBe("error: option '-n, --lines <n>' argument 'many' is invalid. must be a positive whole number");
  }, 30_000);

  it('test runs the suite (here: one file) and reports failure by its exit code', async () => {
    const r = await admin(['test', 'tests/ops/units.test.ts'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    // eslint-disable-next-line no-control-regex -- strips vitest's colours
    expect(r.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Tests\s+\d+ passed/);
    const failing = await admin(['test', 'tests/ops/no-such-file.test.ts'], { timeoutMs: 60_000 });
    expect(failing.code).toBe(1);
    expect(lastLine(failing.stderr)).toMatch(/^rollcall admin: tests failed \(vitest exited with \d+\)$/);
  }, 90_000);

  it('stats hands over to the charts CLI with the same arguments, or explains that it is missing', async () => {
    await expect(statsAction([], null)).rejects.toThrow(new AdminError('the charts CLI is not part of this version of rollcall yet (src/cli/stats.ts is missing); update rollcall and try again'));
    const fake = join(tmp.dir, 'stats.js');
    const marker = join(tmp.dir, 'stats-args.json');
    writeFileSync(fake, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, JSON.stringify(process.argv.slice(2)));`);
    writeFileSync(join(tmp.dir, 'package.json'), '{"type":"commonjs"}');
    await statsAction(['--guild', SOME_GUILD, 'week'], fake);
    expect(JSON.parse((await import('node:fs')).readFileSync(marker, 'utf8'))).toEqual(['--guild', SOME_GUILD, 'week']);
    writeFileSync(fake, 'process.exit(3)');
    await expect(statsAction([], fake)).rejects.toThrow('stats exited with 3');
  });
});
