import { accessSync, chmodSync, closeSync, constants, existsSync, fchmodSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { isPostgresTarget, type OpenDatabase } from './engine.js';
import { openPostgres } from './postgres.js';
import type { Database } from './schema.js';

export type { Engine, OpenDatabase } from './engine.js';

/**
 * Opens rollcall's database: `target` is `DATABASE_URL` (`postgres://…`, `pglite:…`: see
 * {@link openPostgres}) when set, else the SQLite file `DATABASE_PATH`. The SQLite file is opened
 * the way every process of rollcall must: WAL so the HTTP and gateway processes can read while the
 * other writes, foreign keys enforced, and a busy timeout so a writer waits for the other process
 * instead of failing with SQLITE_BUSY.
 */
export function openDatabase(target: string): OpenDatabase {
  if (isPostgresTarget(target)) return openPostgres(target);
  const path = target;
  if (path !== ':memory:') prepareDatabaseFile(path);
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  let closed = false;
  return {
    db,
    engine: 'sqlite',
    sqlite,
    isHealthy: async () => databaseIsHealthy(sqlite),
    checkpoint: () => (sqlite.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number; checkpointed: number }[])[0] ?? null,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy(); // also closes the better-sqlite3 handle
    },
  };
}

/** `SELECT 1` on the SQLite handle. */
export function databaseIsHealthy(sqlite: SQLite.Database): boolean {
  try {
    return sqlite.prepare('select 1 as ok').get() !== undefined;
  } catch {
    return false;
  }
}

/** Read and write for the owner and the group, nothing for others: the service user and the deploy user share the group. */
export const DATABASE_FILE_MODE = 0o660;

/**
 * The database file exists but this process may not write it (or the files SQLite creates next to
 * it): the message names the file, its owner and mode, and who this process runs as.
 */
export class DatabaseAccessError extends Error {
  override readonly name = 'DatabaseAccessError';
  readonly code = 'EDBACCESS';
}

/** `uid`/`gid` → name from /etc/passwd and /etc/group; the number when it is not there. */
function nameOf(file: '/etc/passwd' | '/etc/group', id: number): string {
  try {
    const line = readFileSync(file, 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(id));
    if (line) return line.split(':')[0]!;
  } catch {
    /* no such file: the number will do */
  }
  return String(id);
}

/** `pi:rollcall 0640`: a file's owner, group and permission bits, as `ls -l` and `stat` show them. */
export function ownerAndMode(path: string): string {
  const st = statSync(path);
  return `${nameOf('/etc/passwd', st.uid)}:${nameOf('/etc/group', st.gid)} ${(st.mode & 0o7777).toString(8).padStart(4, '0')}`;
}

function whoAmI(): string {
  const uid = process.getuid?.();
  if (uid === undefined) return 'this user';
  let name = String(uid);
  try {
    name = userInfo().username;
  } catch {
    /* a uid without a passwd entry (a container): the number will do */
  }
  return `${name} (uid ${uid})`;
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Before SQLite opens `path`: its folder exists; a new file is created with mode 0660 whatever the
 * umask (SQLite itself starts from 0644, so under the service's `UMask=0007` or a deploy user's
 * 0022 the group — the other user — could only read it); an existing file this process owns gets
 * the group's write bit back. SQLite gives the `-wal` and `-shm` files the database file's mode
 * (and, as root, its owner), so they follow. A file (or folder) this process cannot write stops
 * here with a {@link DatabaseAccessError} instead of SQLite's "attempt to write a readonly
 * database" at the first write.
 * @see https://www.sqlite.org/tempfiles.html#write_ahead_log_wal_files
 */
export function prepareDatabaseFile(path: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  try {
    const fd = openSync(path, 'wx', DATABASE_FILE_MODE);
    try {
      fchmodSync(fd, DATABASE_FILE_MODE); // the umask took bits off at creation; chmod is not subject to it
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // EEXIST: the usual case. Anything else (EACCES on the folder…) is left for the checks below and SQLite to name.
    if (code !== 'EEXIST' && code !== 'EACCES' && code !== 'EPERM') throw error;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (!existsSync(file)) continue;
    const st = statSync(file);
    if (st.uid === process.getuid?.() && (st.mode & 0o060) !== 0o060) {
      try {
        chmodSync(file, (st.mode & 0o7777) | 0o060);
      } catch {
        /* a read-only file system: the check below says so */
      }
    }
    if (!writable(file)) {
      throw new DatabaseAccessError(
        `cannot be written by ${whoAmI()}: ${file === path ? 'the file' : file} is owned by ${ownerAndMode(file)}; make it writable for the group the service runs in (sudo chgrp rollcall ${file} && sudo chmod 0660 ${file})`,
      );
    }
  }
  if (!writable(dir) && !existsSync(`${path}-wal`)) {
    throw new DatabaseAccessError(
      `cannot be used by ${whoAmI()}: its folder ${dir} (${ownerAndMode(dir)}) is not writable, and SQLite creates ${basename(path)}-wal and -shm there (sudo chmod 2770 ${dir})`,
    );
  }
}
