import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { openDatabase, type OpenDatabase } from '../../src/shared/db/database.js';
import type { Database } from '../../src/shared/db/schema.js';

/**
 * The engine tests run on: `sqlite` (the default: a real SQLite file); with `TEST_DB=pglite`,
 * PostgreSQL compiled to WebAssembly (`npm run test:pglite`); with `TEST_DB=postgres`, the server at
 * `TEST_DATABASE_URL` (`npm run test:postgres`, `.ci/run`). Apart from tests/helpers/app.ts so the
 * tests of the stats core can choose the engine without loading the whole app.
 */
export const TEST_DB: 'sqlite' | 'pglite' | 'postgres' = process.env.TEST_DB === 'pglite' || process.env.TEST_DB === 'postgres' ? process.env.TEST_DB : 'sqlite';

/** Held open for the whole test process: starting PGlite takes seconds, a schema milliseconds. */
let pgliteKeeper: OpenDatabase | undefined;

/**
 * On PGlite, the database a test would keep in the SQLite file `databasePath`: one PostgreSQL schema
 * per path in the process's one PGlite instance, so two apps given the same path (two processes of
 * one bot) share it and each test starts empty.
 */
export function pgliteUrlFor(databasePath: string): string {
  pgliteKeeper ??= openDatabase('pglite://rollcall-tests');
  return `pglite://rollcall-tests?schema=${schemaFor(databasePath)}`;
}

/** On the server at `TEST_DATABASE_URL`, the same: one schema per database path. */
export function postgresUrlFor(databasePath: string): string {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) throw new Error('TEST_DB=postgres needs TEST_DATABASE_URL (postgres://user@127.0.0.1:port/db)');
  const url = new URL(base);
  url.searchParams.set('schema', schemaFor(databasePath));
  return url.toString();
}

function schemaFor(databasePath: string): string {
  const key = databasePath === ':memory:' ? randomUUID() : databasePath;
  return `db_${createHash('sha256').update(key).digest('hex').slice(0, 20)}`;
}

/** What an app's config needs to keep the data of `databasePath` on the engine of the run. */
export function databaseUrlFor(databasePath: string): { databaseUrl?: string } {
  if (TEST_DB === 'pglite') return { databaseUrl: pgliteUrlFor(databasePath) };
  if (TEST_DB === 'postgres') return { databaseUrl: postgresUrlFor(databasePath) };
  return {};
}

/** `openDatabase` for a test: the SQLite file `databasePath`, or its schema on the engine of the run. */
export function openTestDatabase(databasePath: string): OpenDatabase {
  return openDatabase(databaseUrlFor(databasePath).databaseUrl ?? databasePath);
}

/**
 * PGlite lives inside one process: a bot started as a child process cannot share the test's
 * database. `describe.skipIf(sharedAcrossProcesses.missing)(sharedAcrossProcesses.title('…'))` for
 * tests whose processes must see one database (the test and its child bots, or two bots): the run's
 * last lines say how many were skipped and why; `npm run test:postgres` runs them.
 */
export const sharedAcrossProcesses = {
  missing: TEST_DB === 'pglite',
  title: (name: string) => (TEST_DB === 'pglite' ? `${name} (skipped on PGlite: one database per process, not shared with a child process; npm run test:postgres runs these)` : name),
};

/**
 * The environment of a bot started as its own process (`npm start`) for the engine of the run:
 * `DATABASE_PATH` as given on SQLite; on a PostgreSQL server, `DATABASE_URL` to the schema the test's
 * own apps use for that path; on PGlite, a fresh in-memory PGlite of the child's own (PGlite cannot
 * be shared across processes: tests that need that use {@link sharedAcrossProcesses}).
 */
export function botDatabaseEnv(env: Record<string, string>): Record<string, string> {
  if (env.DATABASE_URL !== undefined || env.DATABASE_PATH === undefined || TEST_DB === 'sqlite') return env;
  return { ...env, DATABASE_URL: TEST_DB === 'postgres' ? postgresUrlFor(env.DATABASE_PATH) : 'pglite://' };
}

/**
 * The tables of `db` with their columns, on either engine (SQLite's `sqlite_master`, PostgreSQL's
 * catalog for the connection's schema only: the tests keep many databases in one server), by name.
 */
export async function tablesOf(db: Kysely<Database>): Promise<Map<string, string[]>> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  const pg = tables.some((t) => t.schema !== undefined);
  const current = pg ? (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]!.s : undefined;
  return new Map(
    tables
      .filter((t) => !t.isView && t.schema === current)
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((t) => [t.name, t.columns.map((c) => c.name)]),
  );
}

/**
 * Starts the worker's PGlite before its first test file runs (a setup file of
 * vitest.postgres.config.ts), so no test's timeout pays for initdb in WebAssembly.
 */
export async function warmUpTestDatabase(): Promise<void> {
  if (TEST_DB !== 'pglite') return;
  pgliteUrlFor(':memory:');
  await pgliteKeeper!.isHealthy();
}
