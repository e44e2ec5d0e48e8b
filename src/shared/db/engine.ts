import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * Where rollcall keeps its state: the SQLite file (one machine, the Pi default) or PostgreSQL (a
 * server several machines share, or PGlite — PostgreSQL compiled to WebAssembly — in tests).
 */
export type Engine = 'sqlite' | 'postgres';

/** An open database of either engine: what the app and the operator's commands need of it. */
export interface OpenDatabase {
  db: Kysely<Database>;
  engine: Engine;
  /**
   * The raw better-sqlite3 handle, for the backup API, pragmas kysely does not model and SQLite's
   * one-writer transactions (`BEGIN IMMEDIATE`). Throws on PostgreSQL: code that runs on both
   * engines asks {@link engine} first.
   */
  readonly sqlite: SQLite.Database;
  /** `SELECT 1` answers — what /healthz and /metrics ask. Never throws. */
  isHealthy(): Promise<boolean>;
  /**
   * SQLite: moves the WAL into the database file and truncates it (a stopped bot's data folder is
   * then the whole database); `busy` when another connection held it. PostgreSQL: the server
   * checkpoints by itself, so nothing (null).
   * @see https://www.sqlite.org/pragma.html#pragma_wal_checkpoint
   */
  checkpoint(): { busy: number; log: number; checkpointed: number } | null;
  close(): Promise<void>;
}

/** True when `target` is a `DATABASE_URL` of PostgreSQL (or PGlite) rather than an SQLite file path. */
export function isPostgresTarget(target: string): boolean {
  return /^(postgres|postgresql|pglite):/i.test(target);
}
