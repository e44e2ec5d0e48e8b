import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/shared/db/database.js';
import { migrateToLatest } from '../../src/shared/db/migrate.js';
import { tempDir } from '../helpers/app.js';
import { startEmulator } from '../../src/sandbox/index.js';
import { admin, lastLine, REPO, run } from './helpers/cli.js';
import { startBotProcess } from './helpers/bot.js';
import { freePort } from './helpers/ports.js';

/**
 * The admin tool as an operator without write access to a folder. Root (CI) writes anywhere, so as
 * root it runs without CAP_DAC_OVERRIDE: file permissions then apply to it as to anyone.
 */
function adminWithoutOverride(args: string[]) {
  const tool = [process.execPath, '--import', 'tsx', 'src/cli/admin.ts', ...args];
  if (process.getuid?.() !== 0) return run(tool[0]!, tool.slice(1));
  const caps = '-dac_override,-dac_read_search';
  return run('setpriv', [`--bounding-set=${caps}`, `--inh-caps=${caps}`, ...tool]);
}

/**
 * Another process writing as fast as it can, two rows per transaction, printing each committed
 * transaction number. Stops on SIGTERM.
 */
const WRITER = `
const SQLite = require('better-sqlite3');
const db = new SQLite(process.argv[1]);
db.pragma('journal_mode = WAL');
db.pragma('busy_timeout = 5000');
const insert = db.prepare('insert into pairs (txn, side, payload) values (?, ?, ?)');
const pair = db.transaction((n) => { insert.run(n, 'a', 'x'.repeat(300)); insert.run(n, 'b', 'y'.repeat(300)); });
let n = db.prepare('select coalesce(max(txn), 0) from pairs').pluck().get();
let stop = false;
process.on('SIGTERM', () => { stop = true; });
const loop = () => { for (let i = 0; i < 20 && !stop; i++) { pair(++n); process.stdout.write(n + '\\n'); } if (stop) { db.close(); process.exit(0); } setImmediate(loop); };
loop();
`;

describe('admin backup', () => {
  let tmp: ReturnType<typeof tempDir>;
  let dbPath: string;

  beforeEach(async () => {
    tmp = tempDir();
    dbPath = join(tmp.dir, 'data', 'rollcall.sqlite');
    const database = openDatabase(dbPath);
    await migrateToLatest(database.db);
    database.sqlite.exec('create table pairs (txn integer not null, side text not null, payload text not null, primary key (txn, side))');
    // About 12 MB, so the copy takes many steps and the writer gets between them.
    const fill = database.sqlite.prepare('insert into pairs (txn, side, payload) values (?, ?, ?)');
    database.sqlite.transaction(() => {
      for (let n = 1; n <= 10_000; n++) {
        fill.run(n, 'a', 'x'.repeat(600));
        fill.run(n, 'b', 'y'.repeat(600));
      }
    })();
    await database.close();
  });
  afterEach(() => tmp.cleanup());

  it('copies the live database while another process writes, and the copy is consistent', async () => {
    const writer = spawn(process.execPath, ['-e', WRITER, dbPath], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    let committed = 0;
    writer.stdout.on('data', (c: Buffer) => (committed = Number(c.toString().trim().split('\n').at(-1))));
    while (committed < 10_200) await new Promise((r) => setTimeout(r, 20)); // writing for real
    const committedBefore = committed;

    const out = join(tmp.dir, 'backups', 'copy.sqlite');
    const r = await admin(['backup', '--database', dbPath, '--out', out, '--json']);
    const committedAfter = committed;
    const exited = new Promise((done) => writer.once('exit', done));
    writer.kill('SIGTERM');
    await exited;

    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(lastLine(r.stdout)) as { integrity: string; restarts: number; pages: number; tables: Record<string, number> };
    expect(report.integrity).toBe('ok');
    expect(committedAfter).toBeGreaterThan(committedBefore); // the writer really ran during the copy
    expect(r.stderr).toMatch(/100% \(\d+ pages/); // progress, as plain lines without a terminal

    const copy = new SQLite(out, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete'); // one self-contained file
    const { txns, rows, max } = copy.prepare('select count(distinct txn) as txns, count(*) as rows, max(txn) as max from pairs').get() as { txns: number; rows: number; max: number };
    // Every transaction committed before the backup started is there, each one whole, none missing.
    expect(max).toBeGreaterThanOrEqual(committedBefore);
    expect(rows).toBe(2 * txns);
    expect(txns).toBe(max);
    expect(report.tables.pairs).toBe(rows);
    expect(copy.prepare('select count(*) from kysely_migration').pluck().get()).toBeGreaterThan(0);
    copy.close();
    expect(existsSync(`${out}.partial`)).toBe(false);
  }, 60_000);

  it('refuses to overwrite, to back up a missing file, or to keep a copy that is not a database', async () => {
    const out = join(tmp.dir, 'copy.sqlite');
    expect((await admin(['backup', '--database', dbPath, '--out', out, '--quiet'])).code).toBe(0);

    const again = await admin(['backup', '--database', dbPath, '--out', out]);
    expect(again.code).toBe(1);
    expect(lastLine(again.stderr)).toBe(`rollcall admin: ${out} already exists; choose another --out or pass --force`);
    expect((await admin(['backup', '--database', dbPath, '--out', out, '--force', '--quiet'])).code).toBe(0);

    const missing = await admin(['backup', '--database', join(tmp.dir, 'nope.sqlite'), '--out', join(tmp.dir, 'x.sqlite')]);
    expect(missing.code).toBe(1);
    expect(lastLine(missing.stderr)).toBe(`rollcall admin: no database at ${join(tmp.dir, 'nope.sqlite')} (set DATABASE_PATH or pass --database)`);

    const junk = join(tmp.dir, 'junk.sqlite');
    writeFileSync(junk, 'this is not a database, it only has the name of one'.repeat(200));
    const bad = await admin(['backup', '--database', junk, '--out', join(tmp.dir, 'y.sqlite')]);
    expect(bad.code).toBe(1);
    expect(lastLine(bad.stderr)).toMatch(/^rollcall admin: (backup of .* failed|cannot open .*): .*not a database/);
    expect(existsSync(join(tmp.dir, 'y.sqlite'))).toBe(false);
    expect(existsSync(join(tmp.dir, 'y.sqlite.partial'))).toBe(false);

    const usage = await admin(['backup', '--database', dbPath]);
    expect(usage.code).toBe(1);
    expect(lastLine(usage.stderr)).toBe("error: required option '--out <file>' not specified");
  }, 60_000);

  it('an unwritable target folder is named as the problem in one line, and the running bot is untouched', async () => {
    const emu = await startEmulator({ heartbeatIntervalMs: 500 });
    const bot = await startBotProcess(
      { DISCORD_APPLICATION_ID: emu.applicationId, DISCORD_PUBLIC_KEY: emu.publicKey, DISCORD_TOKEN: emu.token, DISCORD_API_URL: emu.api, DATABASE_PATH: dbPath, LOG_LEVEL: 'warn' },
      await freePort(),
    );
    try {
      const locked = join(tmp.dir, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o555);
      const r = await adminWithoutOverride(['backup', '--database', dbPath, '--out', join(locked, 'copy.sqlite')]);
      expect(r.code).toBe(1);
      expect(lastLine(r.stderr)).toBe(`rollcall admin: cannot write to ${locked}: permission denied`);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(readdirSync(locked)).toEqual([]);

      // The live database and the bot on it carry on.
      expect(bot.child.exitCode).toBeNull();
      expect(await fetch(`${bot.url}/healthz`).then((res) => res.status)).toBe(200);
      const db = new SQLite(dbPath, { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
      chmodSync(locked, 0o755);
    } finally {
      await bot.stop();
      await emu.close();
    }
  }, 60_000);

  it('restore writes a backup into the database file: contents back, the file keeps owner and mode, the old contents are kept', async () => {
    const copy = join(tmp.dir, 'copy.sqlite');
    expect((await admin(['backup', '--database', dbPath, '--out', copy, '--quiet'])).code).toBe(0);
    const live = new SQLite(dbPath);
    live.prepare('delete from pairs where txn > 10').run();
    live.close();
    chmodSync(dbPath, 0o660);
    const inode = statSync(dbPath).ino;

    const kept = join(tmp.dir, 'data', 'rollcall.sqlite.before-restore');
    const r = await admin(['restore', '--from', copy, '--database', dbPath, '--keep', kept, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(lastLine(r.stdout)) as { path: string; kept: string; owner: string; tables: Record<string, number> };
    expect(report).toMatchObject({ path: dbPath, kept });
    expect(report.owner).toMatch(/ 0660$/);
    expect(report.tables.pairs).toBe(20_000);
    // The same file (inode), so the same owner and mode; the database as it was is in `kept`.
    expect(statSync(dbPath).ino).toBe(inode);
    expect((statSync(dbPath).mode & 0o777).toString(8)).toBe('660');
    const old = new SQLite(kept, { readonly: true });
    expect(old.prepare('select count(*) from pairs').pluck().get()).toBe(20);
    old.close();

    const missing = await admin(['restore', '--from', join(tmp.dir, 'nope.sqlite'), '--database', dbPath]);
    expect(missing.code).toBe(1);
    expect(lastLine(missing.stderr)).toBe(`rollcall admin: no backup at ${join(tmp.dir, 'nope.sqlite')}`);
    writeFileSync(join(tmp.dir, 'junk.sqlite'), 'not a database at all, just text that is long enough to have a header');
    const junk = await admin(['restore', '--from', join(tmp.dir, 'junk.sqlite'), '--database', dbPath]);
    expect(junk.code).toBe(1);
    expect(lastLine(junk.stderr)).toMatch(/^rollcall admin: (cannot open|integrity check .*) .*junk\.sqlite/);
  }, 60_000);
});
