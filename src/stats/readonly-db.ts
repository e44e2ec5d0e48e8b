import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../shared/db/schema.js';

const opened = new Map<string, Kysely<Database>>();

/**
 * The SQLite file at `path`, opened read-only once per thread and kept: the stats workers read it
 * while the bot writes (WAL), with a busy timeout for the moment a checkpoint holds the lock.
 */
export function openReadOnly(path: string): Kysely<Database> {
  let db = opened.get(path);
  if (!db) {
    const sqlite = new SQLite(path, { readonly: true, fileMustExist: true });
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    opened.set(path, db);
  }
  return db;
}
