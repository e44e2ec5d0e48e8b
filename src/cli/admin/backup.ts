import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { AdminError, messageOf } from './errors.js';
import type { Progress } from './progress.js';

/** What a finished backup is; printed as JSON by `backup --json` (the remote download reads it). */
export interface BackupReport {
  path: string;
  bytes: number;
  sha256: string;
  pages: number;
  /** Times a writer changed the database mid-copy and SQLite started the copy over. */
  restarts: number;
  integrity: 'ok';
  /** Rows per table in the copy. */
  tables: Record<string, number>;
  seconds: number;
}

/** Pages per backup step: about 50 steps for the bar, at least 100 pages (400 KiB) each. */
function stepSize(totalPages: number): number {
  return Math.max(100, Math.ceil(totalPages / 50));
}

export async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Makes sure `file` can be created: its folder exists (created if needed) and a file can really be
 * written there (a probe next to it, removed at once: `access(W_OK)` says yes to root on a read-only
 * mount). Otherwise SQLite's backup fails later with "unable to open database file", which reads as
 * if the live database were the problem.
 */
export function ensureWritableTarget(file: string): void {
  const dir = dirname(file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new AdminError(`cannot create ${dir}: ${messageOf(error)}`);
  }
  const probe = `${file}.probe-${process.pid}`;
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : code === 'ENOSPC' ? 'no space left' : messageOf(error);
    throw new AdminError(`cannot write to ${dir}: ${why}`);
  } finally {
    rmSync(probe, { force: true });
  }
}

/**
 * `PRAGMA integrity_check` and row counts on a database file, opened read-only. Throws an
 * {@link AdminError} naming the first problem SQLite reports.
 * @see https://www.sqlite.org/pragma.html#pragma_integrity_check
 */
export function checkDatabaseFile(path: string): { tables: Record<string, number> } {
  let db: SQLite.Database;
  try {
    db = new SQLite(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new AdminError(`cannot open ${path}: ${messageOf(error)}`);
  }
  try {
    const rows = db.pragma('integrity_check') as { integrity_check: string }[];
    if (rows.length !== 1 || rows[0]?.integrity_check !== 'ok') {
      throw new AdminError(
        `integrity check failed on ${path}: ${rows
          .map((r) => r.integrity_check)
          .slice(0, 3)
          .join('; ')}`,
      );
    }
    const names = db.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name").pluck().all() as string[];
    const tables: Record<string, number> = {};
    for (const name of names)
      tables[name] = db
        .prepare(`select count(*) from "${name.replace(/"/g, '""')}"`)
        .pluck()
        .get() as number;
    return { tables };
  } catch (error) {
    if (error instanceof AdminError) throw error;
    throw new AdminError(`integrity check could not run on ${path}: ${messageOf(error)}`);
  } finally {
    db.close();
  }
}

/**
 * Copies the live database with SQLite's online backup API while the bot keeps writing, then runs
 * an integrity check on the copy. The copy is written next to `out` and renamed only when it
 * passed, so `out` is never a half-written file. If writers keep restarting the copy, the rest is
 * copied in one step (holding a read lock briefly) so it always finishes.
 * @see https://www.sqlite.org/backup.html
 */
export async function backupDatabase(source: string, out: string, options: { progress?: Progress; overwrite?: boolean } = {}): Promise<BackupReport> {
  const started = Date.now();
  const target = resolve(out);
  if (!existsSync(source)) throw new AdminError(`no database at ${source} (set DATABASE_PATH or pass --database)`);
  if (resolve(source) === target) throw new AdminError('--out must not be the live database itself');
  if (existsSync(target) && !options.overwrite) throw new AdminError(`${out} already exists; choose another --out or pass --force`);
  ensureWritableTarget(target);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });

  let live: SQLite.Database;
  try {
    live = new SQLite(source, { fileMustExist: true });
    live.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new AdminError(`cannot open ${source}: ${messageOf(error)}`);
  }
  let restarts = 0;
  let pages = 0;
  try {
    let lastRemaining = Infinity;
    let allAtOnce = false;
    const result = await live.backup(partial, {
      progress: ({ totalPages, remainingPages }) => {
        if (remainingPages > lastRemaining) {
          restarts += 1;
          allAtOnce = true;
        }
        lastRemaining = remainingPages;
        options.progress?.update(totalPages - remainingPages, totalPages);
        return allAtOnce ? 0x7fffffff : stepSize(totalPages);
      },
    });
    pages = result.totalPages;
    options.progress?.update(pages, pages);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new AdminError(`backup of ${source} failed: ${messageOf(error)}`);
  } finally {
    live.close();
  }

  try {
    // The copy inherits WAL mode from the live file; a backup should be one self-contained file.
    const copy = new SQLite(partial);
    copy.pragma('journal_mode = DELETE');
    copy.close();
    const { tables } = checkDatabaseFile(partial);
    renameSync(partial, target);
    const report: BackupReport = {
      path: target,
      bytes: statSync(target).size,
      sha256: await sha256Of(target),
      pages,
      restarts,
      integrity: 'ok',
      tables,
      seconds: (Date.now() - started) / 1000,
    };
    options.progress?.done(`${target} (${report.bytes} bytes, integrity ok)`);
    return report;
  } catch (error) {
    rmSync(partial, { force: true });
    rmSync(`${partial}-journal`, { force: true });
    throw error instanceof AdminError ? error : new AdminError(`checking the backup failed: ${messageOf(error)}`);
  }
}

/** What `restore` did; printed as JSON by `restore --json`. */
export interface RestoreReport {
  /** The database file that now holds the backup's contents. */
  path: string;
  from: string;
  /** Where the database as it was before is kept (null: it did not exist, or no --keep). */
  kept: string | null;
  /** `owner:group mode` of the database file after the restore: the same as before it. */
  owner: string;
  tables: Record<string, number>;
}

/**
 * Puts a backup back into the database file: checked first (`PRAGMA integrity_check`), the
 * database as it was copied to `keep`, then SQLite's backup API writes the backup's pages *into*
 * the existing file (a stale `-wal` is taken care of by SQLite, not deleted by hand), so the file
 * keeps its owner, group and mode and the service user can still write it. A missing database
 * is created 0660 as the bot creates it. Stop the bot first: it would keep what it has in memory.
 * @see https://www.sqlite.org/backup.html
 */
export async function restoreDatabase(from: string, database: string, options: { keep?: string; progress?: Progress } = {}): Promise<RestoreReport> {
  const source = resolve(from);
  const target = resolve(database);
  if (!existsSync(source)) throw new AdminError(`no backup at ${from}`);
  if (source === target) throw new AdminError('--from must not be the live database itself');
  const { tables } = checkDatabaseFile(source);
  const { DatabaseAccessError, ownerAndMode, prepareDatabaseFile } = await import('../../shared/db/database.js');
  let kept: string | null = null;
  if (existsSync(target) && options.keep) {
    await backupDatabase(target, options.keep);
    kept = resolve(options.keep);
  }
  try {
    prepareDatabaseFile(target); // a file this user cannot write stops here, naming its owner and mode
  } catch (error) {
    if (error instanceof DatabaseAccessError) throw new AdminError(`${target} ${error.message}`);
    throw error;
  }
  let backup: SQLite.Database;
  try {
    backup = new SQLite(source, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new AdminError(`cannot open ${from}: ${messageOf(error)}`);
  }
  try {
    await backup.backup(target, {
      progress: ({ totalPages, remainingPages }) => {
        options.progress?.update(totalPages - remainingPages, totalPages);
        return 0x7fffffff; // one step: nobody else writes while the bot is stopped
      },
    });
  } catch (error) {
    throw new AdminError(`restoring ${from} into ${target} failed: ${messageOf(error)}${kept ? ` (the database as it was is in ${kept})` : ''}`);
  } finally {
    backup.close();
  }
  const after = checkDatabaseFile(target);
  options.progress?.done(`${target} restored from ${source}`);
  return { path: target, from: source, kept, owner: ownerAndMode(target), tables: after.tables ?? tables };
}
