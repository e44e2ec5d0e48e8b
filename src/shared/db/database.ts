import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';

export interface OpenDatabase {
  db: Kysely<Database>;
  /** The raw handle, for the backup API and pragmas kysely does not model. */
  sqlite: SQLite.Database;
  close(): Promise<void>;
}

/**
 * Opens the SQLite file the way every process of rollcall must: WAL so the HTTP and gateway
 * processes can read while the other writes, foreign keys enforced, and a busy timeout so a
 * writer waits for the other process instead of failing with SQLITE_BUSY.
 */
export function openDatabase(path: string): OpenDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  let closed = false;
  return {
    db,
    sqlite,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy(); // also closes the better-sqlite3 handle
    },
  };
}

/** `SELECT 1` — what /healthz asks. */
export function databaseIsHealthy(sqlite: SQLite.Database): boolean {
  try {
    return sqlite.prepare('select 1 as ok').get() !== undefined;
  } catch {
    return false;
  }
}
