import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { admin, lastLine, run } from './helpers/cli.js';
import { makeFakePi, makeOrigin, type FakePi } from './helpers/pi.js';
import { freePort } from './helpers/ports.js';
import { startSshd, type TestSshd } from './helpers/sshd.js';
import { needs } from '../helpers/programs.js';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';
import { eventually } from '../helpers/world.js';

const need = needs('sshd');

async function health(url: string): Promise<{ code: number; revision?: string }> {
  const res = await fetch(`${url}/healthz`);
  return { ...((await res.json()) as { revision?: string }), code: res.status };
}

/**
 * The operator's remote actions against a real sshd on 127.0.0.1: a temporary folder plays the
 * Pi, a bare repository plays GitHub, and the bot really starts from each built release.
 */
describe.skipIf(need.missing)(need.title('admin tool over ssh'), () => {
  let sshd: TestSshd;
  let emu: Emulator;
  let tmp: ReturnType<typeof tempDir>;
  let origin: ReturnType<typeof makeOrigin>;
  let pi: FakePi;
  let first = '';

  beforeAll(async () => {
    sshd = await startSshd();
    emu = await startEmulator({ heartbeatIntervalMs: 1_000 });
    tmp = tempDir();
    origin = makeOrigin(join(tmp.dir, 'github'));
    const discord = { applicationId: emu.applicationId, publicKey: emu.publicKey, token: emu.token, apiUrl: emu.api };
    pi = makeFakePi(join(tmp.dir, 'pi'), { repoUrl: origin.url, botPort: await freePort(), healthTimeout: 15, discord });
  }, 60_000);

  afterAll(async () => {
    pi?.stopBot();
    await sshd?.stop();
    await emu?.close();
    tmp?.cleanup();
  });

  it('deploys main: builds the release, starts it, and /healthz reports its revision and a READY gateway', async () => {
    first = origin.head();
    const r = await admin(['deploy', ...sshd.args(pi.root), '--ref', 'main'], { timeoutMs: 150_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`deployed ${first}`);
    expect(r.stderr).toContain('==> building release');
    expect(r.stderr).toContain(`healthy: ${pi.botUrl}/healthz revision ${first}, gateway ready`);
    expect(readFileSync(join(pi.root, 'current', '.node-abi'), 'utf8').trim()).toBe(process.versions.modules);
    expect(readlinkSync(join(pi.root, 'current'))).toBe(`releases/${first}`);
    expect(await health(pi.botUrl)).toMatchObject({ code: 200, revision: first });

    // The same ref again changes nothing.
    const again = await admin(['deploy', ...sshd.args(pi.root)], { timeoutMs: 30_000 });
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('is already the current release');
  }, 160_000);

  it('status --host shows the running bot: health, version, revision, uptime, gateway', async () => {
    const r = await admin(['status', ...sshd.args(pi.root)]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`rollcall at ${pi.botUrl}`);
    expect(r.stdout).toMatch(/health\s+ok \(database ok\)/);
    expect(r.stdout).toContain(`revision ${first.slice(0, 12)}`);
    expect(r.stdout).toMatch(/uptime\s+\d+/);
    expect(r.stdout).toMatch(/gateway\s+/);
    // Connected to the emulator's gateway.
    expect(r.stdout).toMatch(/ready\s+yes/);

    const json = await admin(['status', '--json', ...sshd.args(pi.root)]);
    expect(JSON.parse(json.stdout)).toMatchObject({ healthy: true, revision: first, release: first });
  }, 30_000);

  it('logs --host prints the last lines of the bot’s log', async () => {
    const r = await admin(['logs', '--lines', '5', ...sshd.args(pi.root)]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThanOrEqual(5);
    expect(r.stdout).toContain('"app":"rollcall"');
  }, 30_000);

  it('download --host takes a fresh backup on the Pi and brings back a checked copy', async () => {
    const out = join(tmp.dir, 'downloads', 'pi.sqlite');
    const leftovers = () => readdirSync('/tmp').filter((f) => f.startsWith('rollcall-download-'));
    const before = leftovers();
    const r = await admin(['download', '--out', out, '--json', ...sshd.args(pi.root)], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(lastLine(r.stdout)) as { path: string; tables: Record<string, number>; integrity: string };
    expect(report).toMatchObject({ path: out, integrity: 'ok' });
    expect(report.tables).toHaveProperty('guild_config');
    expect(r.stderr).toMatch(/downloading .*100%/);
    const db = new SQLite(out, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    // No temporary copy is left behind on the Pi.
    // No copy of ours stays behind: waited for, since another file's download may have its own in
    // this /tmp for a moment (the files run side by side).
    await eventually(() => expect(leftovers().filter((f) => !before.includes(f))).toEqual([]), 15_000);

    const again = await admin(['download', '--out', out, ...sshd.args(pi.root)]);
    expect(again.code).toBe(1);
    expect(lastLine(again.stderr)).toBe(`rollcall admin: ${out} already exists; choose another --out or pass --force`);
  }, 60_000);

  it('the nightly backup (deploy/backup.sh, as the systemd timer runs it) keeps the newest N', async () => {
    const script = join(pi.root, 'current', 'deploy', 'backup.sh');
    let last = { code: 0, stdout: '', stderr: '' };
    for (let i = 0; i < 3; i++) {
      last = await run('bash', [script, '--root', pi.root, '--keep', '2']);
      expect(last.code, last.stderr).toBe(0);
    }
    const files = readdirSync(join(pi.root, 'backups')).filter((f) => /^rollcall-.*\.sqlite$/.test(f));
    expect(files).toHaveLength(2);
    expect(last.stderr).toMatch(/rotated out rollcall-/);
    expect(JSON.parse(lastLine(last.stdout))).toMatchObject({ integrity: 'ok', path: join(pi.root, 'backups', files.sort().at(-1)!) });
  }, 60_000);

  it('rolls back a release that migrates the database and then fails its health check', async () => {
    // Data written while the good release runs must survive the failed deploy.
    const live = new SQLite(pi.dbPath);
    live.pragma('busy_timeout = 5000');
    live.prepare('insert into guild_config (guild_id, created_at, updated_at) values (?, ?, ?)').run('123456789012345678', Date.now(), Date.now());
    live.close();

    const broken = origin.commit('a release that migrates and then crashes at start', (work) => {
      writeFileSync(
        join(work, 'migrations', '2099-12-31-999-deploy-probe.ts'),
        "import type { Kysely } from 'kysely';\nexport async function up(db: Kysely<unknown>): Promise<void> {\n  await db.schema.createTable('deploy_probe').addColumn('id', 'integer').execute();\n}\n",
      );
      const index = join(work, 'migrations', 'index.ts');
      const text = readFileSync(index, 'utf8');
      const at = text.lastIndexOf('};');
      writeFileSync(index, `import * as deployProbe from './2099-12-31-999-deploy-probe.js';\n${text.slice(0, at)}  '2099-12-31-999-deploy-probe': deployProbe,\n${text.slice(at)}`);
      writeFileSync(join(work, 'src', 'main.ts'), "throw new Error('this release is broken on purpose');\nexport {};\n");
    });

    const r = await admin(['deploy', ...sshd.args(pi.root), '--ref', 'main'], { timeoutMs: 150_000 });
    expect(r.code).toBe(1);
    // The bot's own last word is the reason.
    expect(lastLine(r.stderr)).toBe(`rollcall admin: deploy of ${broken.slice(0, 12)} failed its health check (Error: this release is broken on purpose); rolled back to ${first.slice(0, 12)}`);
    expect(r.stderr).toContain('applied 2099-12-31-999-deploy-probe');
    expect(r.stderr).toContain('migrations ran; restoring');
    expect(r.stderr).toContain('package-lock.json unchanged: reusing node_modules');
    expect(pi.log()).toContain('this release is broken on purpose');

    // The previous release runs again, on the database as it was before the migration.
    expect(readlinkSync(join(pi.root, 'current'))).toBe(`releases/${first}`);
    expect(await health(pi.botUrl)).toMatchObject({ code: 200, revision: first });
    const db = new SQLite(pi.dbPath, { readonly: true });
    const tables = db.prepare("select name from sqlite_master where type = 'table'").pluck().all();
    expect(tables).toContain('guild_config');
    expect(tables).not.toContain('deploy_probe');
    expect(db.prepare('select guild_id from guild_config').pluck().all()).toContain('123456789012345678');
    db.close();
    // The failed database is kept for a post-mortem, not deleted.
    expect(readdirSync(join(pi.root, 'data')).some((f) => f.startsWith('rollcall.sqlite.failed-deploy-'))).toBe(true);
    expect(existsSync(join(pi.root, 'releases', broken, '.complete'))).toBe(true);
  }, 160_000);

  it('a rerun finds the current release down and says so; --force rebuilds it (native modules too) and brings it back', async () => {
    pi.stopBot();
    const rerun = await admin(['deploy', ...sshd.args(pi.root), '--ref', first], { timeoutMs: 60_000 });
    expect(rerun.code).toBe(1);
    expect(lastLine(rerun.stderr)).toBe(`rollcall admin: ${first.slice(0, 12)} is the current release but it is not healthy; see the logs, or redeploy it with --force`);

    const forced = await admin(['deploy', ...sshd.args(pi.root), '--ref', first, '--force'], { timeoutMs: 60_000 });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain(`rebuilding release ${first.slice(0, 12)} (fresh install: native modules compiled for Node ABI ${process.versions.modules})`);
    expect(forced.stderr).toContain('==> install: ');
    expect(await health(pi.botUrl)).toMatchObject({ code: 200, revision: first });
  }, 90_000);

  it('a release built for another Node (module ABI) is rebuilt by the next deploy, without --force', async () => {
    // As after `apt-get full-upgrade` brought a new Node major: the release's native modules do not fit.
    writeFileSync(join(pi.root, 'releases', first, '.node-abi'), '1\n');
    const r = await admin(['deploy', ...sshd.args(pi.root), '--ref', first], { timeoutMs: 90_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`release ${first.slice(0, 12)} was built for Node module ABI 1, this Node (${process.version}) has ${process.versions.modules}: rebuilding it`);
    expect(r.stderr).toContain('==> install: ');
    expect(readFileSync(join(pi.root, 'releases', first, '.node-abi'), 'utf8').trim()).toBe(process.versions.modules);
    expect(await health(pi.botUrl)).toMatchObject({ code: 200, revision: first });
  }, 90_000);

  it('fails with one clear line when the ref does not exist or the host is unreachable', async () => {
    const bad = await admin(['deploy', ...sshd.args(pi.root), '--ref', 'no-such-branch']);
    expect(bad.code).toBe(1);
    expect(lastLine(bad.stderr)).toBe(`rollcall admin: ref 'no-such-branch' was not found in ${origin.url}`);

    const closed = await freePort();
    const args = sshd.args(pi.root);
    args[args.indexOf('--port') + 1] = String(closed);
    const down = await admin(['status', ...args]);
    expect(down.code).toBe(1);
    expect(lastLine(down.stderr)).toMatch(/^rollcall admin: ssh to .* failed: .*Connection refused/);
  }, 60_000);

  it('a wrong ssh key is one line naming the key, with one connection attempt and no cleanup ssh after it', async () => {
    const wrongKey = join(tmp.dir, 'wrong_key');
    expect(spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey]).status).toBe(0);
    const args = sshd.args(pi.root);
    args[args.indexOf('--identity') + 1] = wrongKey;
    const out = join(tmp.dir, 'downloads', 'wrong-key.sqlite');
    const r = await admin(['download', '--out', out, ...args], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    expect(lastLine(r.stderr)).toBe(
      `rollcall admin: ssh to ${sshd.host} failed: the key ${wrongKey} was refused (Permission denied (publickey)); add the public key to the host's ~/.ssh/authorized_keys`,
    );
    // ssh's own line once (one connection) and the tool's line: no second ssh to clean up a file that was never made.
    expect(r.stderr.match(/Permission denied/g)).toHaveLength(2);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  }, 60_000);

  it('a release whose build fails is one line, and the running release keeps serving', async () => {
    const running = readlinkSync(join(pi.root, 'current'));
    const before = await health(pi.botUrl);
    expect(before.code).toBe(200);
    const broken = origin.commit('a release that does not compile', (work) => {
      writeFileSync(join(work, 'src', 'main.ts'), 'export const = ;\n');
    });
    const r = await admin(['deploy', ...sshd.args(pi.root), '--ref', 'main'], { timeoutMs: 150_000 });
    expect(r.code).toBe(1);
    expect(lastLine(r.stderr)).toBe(`rollcall admin: build failed for ${broken.slice(0, 12)}; the running release is untouched`);
    expect(readlinkSync(join(pi.root, 'current'))).toBe(running);
    expect(await health(pi.botUrl)).toMatchObject({ code: 200, revision: before.revision });
    expect(existsSync(join(pi.root, 'releases', broken, '.complete'))).toBe(false);
  }, 160_000);
});
