import type { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { OpenDatabase } from './engine.js';
import { ConnectionLock, PGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

/**
 * PostgreSQL's `bigint` (int8) and `numeric` (what `sum` and `count` of bigints return) come back
 * as strings by default, so no precision is lost past 2^53. rollcall's numbers are unix
 * milliseconds, counts and bit masks of 24 hours — far below it — and its code compares them as
 * numbers, as SQLite returns them: parse both as JavaScript numbers.
 * @see https://node-postgres.com/features/types
 */
const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (value: string): number => Number(value);

/**
 * Opens `DATABASE_URL`: `postgres://…` through a `pg` pool (loaded only then, so the Pi's SQLite
 * process never loads it); `pglite://name` or `pglite:///folder` through PGlite (see
 * {@link openPGlite}).
 */
export function openPostgres(url: string): OpenDatabase {
  if (/^pglite:/i.test(url)) return openPGlite(url);
  // `?schema=s`: rollcall's tables in schema `s` (created when missing) instead of `public`, e.g. one
  // database for several bots, or one per test.
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  const dialect = new PostgresDialect({
    pool: async () => {
      const { default: pg } = await import('pg');
      const types = {
        getTypeParser: (oid: number, format?: 'text' | 'binary') =>
          oid === INT8 || oid === NUMERIC ? toNumber : format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text'),
      };
      const quoted = schema === null ? null : `"${schema.replace(/"/g, '""')}"`;
      // Short connect timeout: /healthz must answer "database down" rather than hang.
      const pool = new pg.Pool({
        connectionString: parsed.toString(),
        max: 10,
        connectionTimeoutMillis: 5_000,
        types,
        ...(quoted ? { options: `-c search_path=${quoted}` } : {}),
      });
      if (quoted) await pool.query(`create schema if not exists ${quoted}`);
      return pool;
    },
  });
  return wrap(new Kysely<Database>({ dialect }));
}

interface SharedPGlite {
  instance: Promise<PGlite>;
  lock: ConnectionLock;
  users: number;
}

/** PGlite instances of this process by name: two apps of one test share one database as two processes share a server. */
const pglites = new Map<string, SharedPGlite>();

/**
 * `pglite://` (a fresh in-memory database), `pglite://name` (in memory, shared by every opener of
 * that name in this process until the last one closes it) or `pglite:///abs/folder` (kept on disk,
 * one opener process at a time); `?schema=s` works in PostgreSQL schema `s` (created when missing)
 * instead of `public`, so openers of one instance can each have their own tables. PGlite is one PostgreSQL backend in WebAssembly: real SQL, types,
 * constraints and locks, but one connection, so it proves the SQL and not concurrency between
 * connections — the tests against a real server do that.
 * @see https://pglite.dev/docs/
 */
export function openPGlite(url: string): OpenDatabase {
  const parsed = new URL(url);
  const dataDir = parsed.pathname.length > 1 ? decodeURIComponent(parsed.pathname) : undefined;
  const key = dataDir ?? (parsed.hostname === '' ? `fresh:${Math.random()}` : `memory:${parsed.hostname}`);
  let shared = pglites.get(key);
  if (!shared) {
    const instance = import('@electric-sql/pglite').then(({ PGlite }) => PGlite.create(dataDir, { parsers: { [INT8]: toNumber, [NUMERIC]: toNumber } }));
    shared = { instance, lock: new ConnectionLock(), users: 0 };
    pglites.set(key, shared);
  }
  shared.users += 1;
  const entry = shared;
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    entry.users -= 1;
    if (entry.users > 0) return;
    pglites.delete(key);
    await (await entry.instance).close();
  };
  const schema = parsed.searchParams.get('schema') || 'public';
  return wrap(new Kysely<Database>({ dialect: new PGliteDialect(entry.instance, entry.lock, schema, release) }));
}

function wrap(db: Kysely<Database>): OpenDatabase {
  let closed = false;
  return {
    db,
    engine: 'postgres',
    get sqlite(): never {
      throw new Error('this database is PostgreSQL: there is no SQLite handle (ask OpenDatabase.engine first)');
    },
    async isHealthy() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    checkpoint: () => null,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}
