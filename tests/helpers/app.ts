import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import type { Config } from '../../src/shared/config.js';
import { ALL_SHARDS } from '../../src/shared/shards.js';
import { openDatabase, type OpenDatabase } from '../../src/shared/db/database.js';
import { createLogger } from '../../src/shared/logger.js';
import { APPLICATION_ID } from './interactions.js';

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The engine tests run on: `sqlite` (the default: a real SQLite file); with `TEST_DB=pglite`,
 * PostgreSQL compiled to WebAssembly (`npm run test:pglite`); with `TEST_DB=postgres`, the server at
 * `TEST_DATABASE_URL` (`.ci/run` starts a throw-away cluster for it).
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

function databaseUrlFor(databasePath: string): { databaseUrl?: string } {
  if (TEST_DB === 'pglite') return { databaseUrl: pgliteUrlFor(databasePath) };
  if (TEST_DB === 'postgres') return { databaseUrl: postgresUrlFor(databasePath) };
  return {};
}

export function testConfig(overrides: Partial<Config> & Pick<Config, 'publicKey' | 'databasePath'>): Config {
  return {
    ...databaseUrlFor(overrides.databasePath),
    applicationId: APPLICATION_ID,
    token: 'test-token-0123456789abcdef',
    apiUrl: 'http://127.0.0.1:9/api',
    guildId: undefined,
    httpHost: '127.0.0.1',
    httpPort: 0,
    logLevel: 'silent',
    interactions: 'http',
    shards: ALL_SHARDS,
    ...overrides,
  };
}

/** The tests' logger: silent unless TEST_LOG_LEVEL is set for the run. */
export function testLogger() {
  return createLogger((process.env.TEST_LOG_LEVEL as Config['logLevel'] | undefined) ?? 'silent');
}

/** A real app on a real SQLite file (or PGlite with `TEST_DB=pglite`). */
export async function testApp(config: Config, options: AppOptions = {}): Promise<App> {
  return createApp(config, { logger: testLogger(), ...options });
}
