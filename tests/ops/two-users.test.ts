import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';
import { tempDir } from '../helpers/app.js';
import { needs } from '../helpers/programs.js';
import { eventually } from '../helpers/world.js';
import { admin, lastLine, REPO } from './helpers/cli.js';
import { makeFakePi, makeOrigin, type FakePi } from './helpers/pi.js';
import { freePort } from './helpers/ports.js';
import { startSshd, type TestSshd } from './helpers/sshd.js';

/** The Pi's two accounts: `pi` (deploys over ssh) and `rollcall` (runs the bot), as setup-pi.sh makes them. */
const DEPLOY = 'rollcall-ops-deploy';
const SERVICE = 'rollcall-ops-svc';

const need = needs('sshd', 'sudo');
const title = 'the Pi with a deploy user and a service user (only in the group), over ssh';

/** Whether a user other than the owner can reach `path` (every folder on the way searchable, the file readable). */
function reachableByOthers(path: string): boolean {
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const at = `/${parts.slice(0, i).join('/')}`;
    const st = statSync(at);
    if (st.isDirectory() ? (st.mode & 0o001) === 0 : (st.mode & 0o004) === 0) return false;
  }
  return true;
}
/** Root makes the users; they run this checkout's node_modules and this node, so those must be theirs to read. */
const whyNot =
  process.getuid?.() !== 0
    ? 'needs root, to create the two users'
    : !reachableByOthers(process.execPath) || !reachableByOthers(join(REPO, 'node_modules', '.bin'))
      ? `needs root and a checkout and node other users can read (${REPO}, ${process.execPath})`
      : null;
const canRun = whyNot === null;

const sh = (command: string, args: string[]) => spawnSync(command, args, { encoding: 'utf8' });

/** setup-pi.sh's accounts: a system user with its own group for the bot, a login user in that group. */
function makeUsers(): void {
  if (sh('id', [SERVICE]).status !== 0) execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SERVICE]);
  if (sh('id', [DEPLOY]).status !== 0) execFileSync('useradd', ['--create-home', '--shell', '/bin/bash', DEPLOY]);
  execFileSync('usermod', ['-a', '-G', SERVICE, DEPLOY]);
  execFileSync('usermod', ['-p', '*', DEPLOY]); // no password, but not locked: sshd lets a locked account in with no key
  // The stand-in GitHub (a bare repository) belongs to root; git refuses another user's repository otherwise.
  const home = execFileSync('getent', ['passwd', DEPLOY], { encoding: 'utf8' }).split(':')[5]!;
  execFileSync('runuser', ['-u', DEPLOY, '--', 'git', 'config', '--file', join(home, '.gitconfig'), 'safe.directory', '*']);
}

function removeUsers(): void {
  sh('userdel', ['--remove', DEPLOY]);
  sh('userdel', [SERVICE]);
  sh('groupdel', [SERVICE]);
}

const uidOf = (user: string) => Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
const gidOf = (group: string) => Number(execFileSync('getent', ['group', group], { encoding: 'utf8' }).split(':')[2]);

/** Owner, group and permission bits, as a restore must keep them. */
function ownership(path: string): { uid: number; gid: number; mode: string } {
  const st = statSync(path);
  return { uid: st.uid, gid: st.gid, mode: (st.mode & 0o7777).toString(8).padStart(4, '0') };
}

async function health(url: string): Promise<{ code: number; revision?: string; gateway?: { readyOnce?: boolean } }> {
  const res = await fetch(`${url}/healthz`);
  return { ...((await res.json()) as object), code: res.status };
}

/** The bot's own gateway heartbeat row: the bot (the service user) wrote its database at `after` or later. */
function botWroteSince(dbPath: string, after: number): boolean {
  const db = new SQLite(dbPath, { readonly: true });
  try {
    const at = db.prepare("select beat_at from heartbeats where process = 'gateway'").pluck().get() as number | undefined;
    return at !== undefined && at >= after;
  } finally {
    db.close();
  }
}

/** The uid the bot process runs as (its real uid, from /proc). */
function botUid(pi: FakePi): number {
  const pid = readFileSync(join(pi.root, 'run', 'bot.pid'), 'utf8').trim();
  return Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
}

/**
 * docs/raspberry-pi.md's Pi with its two users, against a real sshd and the Discord emulator: the
 * deploy user (`pi`) ssh's in and runs deploy.sh; the bot runs as the service user (`rollcall`),
 * which shares only the group with it. A temporary folder plays /opt/rollcall with setup-pi.sh's
 * owners and modes; `sudo -n -u <service>` plays `sudo systemctl restart rollcall`.
 */
describe.skipIf(need.missing || !canRun)(canRun ? need.title(title) : `${title} (skipped: ${whyNot})`, () => {
  let sshd: TestSshd;
  let emu: Emulator;
  let tmp: ReturnType<typeof tempDir>;
  let origin: ReturnType<typeof makeOrigin>;
  let pi: FakePi;
  const sudoersFile = `/etc/sudoers.d/rollcall-ops-test-${process.pid}`;
  let first = '';

  beforeAll(async () => {
    makeUsers();
    tmp = tempDir();
    chmodSync(tmp.dir, 0o755); // the two users reach the fake /opt/rollcall and the fake GitHub through it
    emu = await startEmulator({ heartbeatIntervalMs: 1_000 });
    sshd = await startSshd({ user: DEPLOY });
    origin = makeOrigin(join(tmp.dir, 'github'));
    pi = makeFakePi(join(tmp.dir, 'pi'), {
      repoUrl: origin.url,
      botPort: await freePort(),
      healthTimeout: 20,
      discord: { applicationId: emu.applicationId, publicKey: emu.publicKey, token: emu.token, apiUrl: emu.api },
      users: { deploy: DEPLOY, service: SERVICE, group: SERVICE, sudoersFile },
    });
  }, 60_000);

  afterAll(async () => {
    if (pi) spawnSync(join(pi.root, 'bin', 'stop'));
    rmSync(sudoersFile, { force: true });
    await sshd?.stop();
    await emu?.close();
    tmp?.cleanup();
    if (canRun) removeUsers();
  }, 60_000); // stopping the bot, sshd and deleting two users: slow on a busy machine

  it('first deploy: the database the deploy user migrates is one the service user writes (0660, group shared)', async () => {
    first = origin.head();
    const started = Date.now();
    const r = await admin(['deploy', ...sshd.args(pi.root)], { timeoutMs: 150_000 });
    expect(r.code, `${r.stderr}\n${pi.log()}`).toBe(0);
    expect(r.stdout).toContain(`deployed ${first}`);
    expect(r.stderr).toContain(`healthy: ${pi.botUrl}/healthz revision ${first}, gateway ready`);
    // Made by the deploy user's migration, under its umask: still group-writable, in the shared group.
    expect(ownership(pi.dbPath)).toEqual({ uid: uidOf(DEPLOY), gid: gidOf(SERVICE), mode: '0660' });
    expect(botUid(pi)).toBe(uidOf(SERVICE));
    // The bot, as the service user, writes it (its gateway heartbeat), and its -wal/-shm are group-writable too.
    await eventually(() => botWroteSince(pi.dbPath, started), 15_000);
    for (const f of ['rollcall.sqlite-wal', 'rollcall.sqlite-shm']) expect(ownership(join(pi.root, 'data', f)).mode, f).toBe('0660');
    expect(pi.log()).not.toMatch(/readonly database/);
    expect(await health(pi.botUrl)).toMatchObject({ code: 200, revision: first, gateway: { readyOnce: true } });
  }, 160_000);

  it('a release whose token Discord refuses is rolled back by the deploy itself, which says why', async () => {
    const refused = origin.commit('a release that sends a token Discord refuses', (work) => {
      const file = join(work, 'src', 'shared', 'config.ts');
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('    token,\n');
      execFileSync('bash', ['-c', `cat > "${file}"`], { input: text.replace('    token,\n', '    token: `${token}-not-the-right-one`,\n') });
    });
    const r = await admin(['deploy', ...sshd.args(pi.root)], { timeoutMs: 150_000 });
    expect(r.code).toBe(1);
    expect(lastLine(r.stderr)).toBe(
      `rollcall admin: deploy of ${refused.slice(0, 12)} failed its health check (configuration error: DISCORD_TOKEN was refused by Discord (401 Unauthorized on GET /gateway/bot): copy the bot token from the developer portal (Bot → Reset Token) into the environment file); rolled back to ${first.slice(0, 12)}`,
    );
    // The process said so in one line and stopped (exit 78: systemd's RestartPreventExitStatus).
    expect(pi.log()).toContain('rollcall: configuration error: DISCORD_TOKEN was refused by Discord');
    expect(readlinkSync(join(pi.root, 'current'))).toBe(`releases/${first}`);
    expect(await health(pi.botUrl)).toMatchObject({ code: 200, revision: first, gateway: { readyOnce: true } });
    // Back to the good code for what follows.
    origin.commit('the token as configured again', (work) => execFileSync('git', ['-C', work, 'checkout', first, '--', 'src/shared/config.ts']));
  }, 160_000);

  it('deploy across a migration, then back: the deploy restores the snapshot itself, the file keeps owner and mode', async () => {
    const before = ownership(pi.dbPath);
    const migrating = origin.commit('a release with a new migration', (work) => {
      execFileSync('bash', ['-c', `cat > "${join(work, 'migrations', '2099-12-31-998-ops-probe.ts')}"`], {
        input:
          "import type { Kysely } from 'kysely';\nexport async function up(db: Kysely<unknown>): Promise<void> {\n  await db.schema.createTable('ops_probe').addColumn('id', 'integer').execute();\n}\n",
      });
      const index = join(work, 'migrations', 'index.ts');
      const text = readFileSync(index, 'utf8');
      const at = text.lastIndexOf('};');
      execFileSync('bash', ['-c', `cat > "${index}"`], {
        input: `import * as opsProbe from './2099-12-31-998-ops-probe.js';\n${text.slice(0, at)}  '2099-12-31-998-ops-probe': opsProbe,\n${text.slice(at)}`,
      });
    });
    const up = await admin(['deploy', ...sshd.args(pi.root)], { timeoutMs: 150_000 });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toContain('applied 2099-12-31-998-ops-probe');
    const tables = () => {
      const db = new SQLite(pi.dbPath, { readonly: true });
      try {
        return db.prepare("select name from sqlite_master where type = 'table'").pluck().all() as string[];
      } finally {
        db.close();
      }
    };
    expect(tables()).toContain('ops_probe');

    // Back to the first release: its code does not know ops_probe's migration.
    const started = Date.now();
    const back = await admin(['deploy', ...sshd.args(pi.root), '--ref', first], { timeoutMs: 150_000 });
    expect(back.code, `${back.stderr}\n${pi.log()}`).toBe(0);
    expect(back.stderr).toContain(`the database was migrated by ${migrating.slice(0, 12)}: restoring backups/pre-deploy-`);
    expect(back.stdout).toContain(`deployed ${first}`);
    expect(tables()).not.toContain('ops_probe');
    // Restored into the same file: same owner, group and mode, and the service user writes it.
    expect(ownership(pi.dbPath)).toEqual(before);
    await eventually(() => botWroteSince(pi.dbPath, started), 15_000);
    // The database as the newer release left it is kept.
    expect(readdirSync(join(pi.root, 'data')).some((f) => f.startsWith('rollcall.sqlite.before-rollback-'))).toBe(true);
  }, 320_000);

  it('restore of a downloaded backup: the bot runs on it again, and the file keeps owner and mode', async () => {
    const out = join(tmp.dir, 'downloads', 'pi.sqlite');
    const insert = (id: string) =>
      execFileSync('runuser', ['-u', SERVICE, '--', 'sqlite3', '-cmd', '.timeout 5000', pi.dbPath, `insert into guild_config (guild_id, created_at, updated_at) values ('${id}', 1, 1)`]);
    insert('111111111111111111');
    const down = await admin(['download', '--out', out, ...sshd.args(pi.root)], { timeoutMs: 60_000 });
    expect(down.code, down.stderr).toBe(0);
    insert('222222222222222222'); // after the backup: gone after the restore
    const before = ownership(pi.dbPath);

    const restoreCopies = () => readdirSync('/tmp').filter((f) => f.startsWith('rollcall-restore-'));
    const copiesBefore = restoreCopies(); // a killed run's copy may be there already: not this one's

    const started = Date.now();
    const r = await admin(['restore', '--from', out, '--json', ...sshd.args(pi.root)], { timeoutMs: 90_000 });
    expect(r.code, `${r.stderr}\n${pi.log()}`).toBe(0);
    const report = JSON.parse(lastLine(r.stdout)) as { path: string; kept: string; owner: string };
    expect(report.path).toBe(pi.dbPath);
    expect(report.owner).toBe(`${DEPLOY}:${SERVICE} 0660`);
    expect(ownership(pi.dbPath)).toEqual(before);
    const db = new SQLite(pi.dbPath, { readonly: true });
    const guilds = db.prepare('select guild_id from guild_config').pluck().all();
    db.close();
    expect(guilds).toContain('111111111111111111');
    expect(guilds).not.toContain('222222222222222222');
    expect(existsSync(report.kept)).toBe(true);
    // Started again by the restore, as the service user, writing the restored file.
    expect(botUid(pi)).toBe(uidOf(SERVICE));
    await eventually(() => botWroteSince(pi.dbPath, started), 15_000);
    // The uploaded copy is gone. Waited for: another file's restore (deploy.test.ts) may have its own
    // copy in this /tmp for a moment; a copy left behind stays and fails this.
    await eventually(() => expect(restoreCopies().filter((f) => !copiesBefore.includes(f))).toEqual([]), 15_000);
  }, 120_000);
});
