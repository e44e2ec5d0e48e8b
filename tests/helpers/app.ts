import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import type { Config } from '../../src/shared/config.js';
import { ALL_SHARDS } from '../../src/shared/shards.js';
import { createLogger } from '../../src/shared/logger.js';
import { databaseUrlFor } from './engine.js';
import { APPLICATION_ID } from './interactions.js';
import { logBuffer } from './log-buffer.js';

export { TEST_DB, pgliteUrlFor, postgresUrlFor, openTestDatabase, sharedAcrossProcesses, botDatabaseEnv } from './engine.js';

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-test-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
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

/**
 * The tests' logger: warnings and errors into memory (a failed test shows them, see
 * tests/helpers/failure-logs.ts); with TEST_LOG_LEVEL set for the run, everything at that level to stdout.
 */
export function testLogger() {
  const level = process.env.TEST_LOG_LEVEL as Config['logLevel'] | undefined;
  return level ? createLogger(level) : createLogger('warn', logBuffer);
}

/** A real app on a real SQLite file (or its schema on PostgreSQL with `TEST_DB=pglite|postgres`). */
export async function testApp(config: Config, options: AppOptions = {}): Promise<App> {
  return createApp(config, { logger: testLogger(), ...options });
}
