import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import base, { POSTGRES_ONLY } from './vitest.config.js';

/**
 * `npm run test:pglite` / `npm run test:postgres`: the whole suite again on PostgreSQL — PGlite
 * (PostgreSQL compiled to WebAssembly, no server needed) or a throw-away server
 * (scripts/test-postgres.sh). The same test files as `npm test`, parametrized by `TEST_DB`
 * (tests/helpers/app.ts gives each app a database URL instead of its SQLite file), in the same
 * projects (the wall-clock files last), minus {@link NOT_ON_POSTGRES}, plus the files about PostgreSQL
 * itself that `npm test` leaves to this run (`POSTGRES_ONLY` in vitest.config.ts).
 *
 * Counts and times (2-core machine): see README's "Tests" section.
 */

/**
 * Files that are about SQLite itself, or store nothing: each with why it does not run again here.
 * Everything else that stores data through the app runs on both engines.
 */
export const NOT_ON_POSTGRES: Record<string, string> = {
  // About SQLite itself.
  'tests/http/storage-full.test.ts': "plays a full disk / read-only file with SQLite's query_only pragma",
  'tests/ops/backup.test.ts': "the admin tool's backup: SQLite's online backup API and the file it writes",
  'tests/ops/deploy.test.ts': 'the Pi deploy of a SQLite bot: the file in data/, backups, rollback of the file',
  'tests/ops/two-users.test.ts': "the Pi's two users sharing the SQLite file and its -wal/-shm modes",
  'tests/ops/stats-menu.test.ts': "charts over ssh from the Pi's SQLite file",
  'tests/shared/database-access.test.ts': "the SQLite file's permissions and who may write it",
  'tests/stats/query-plans.test.ts': "SQLite's EXPLAIN QUERY PLAN of the charts' reads",
  'tests/stats/cli.test.ts': '`npm run stats` reads a SQLite file (--db); the same charts run on PostgreSQL in tests/stats/charts.test.ts',
  'tests/cli/sandbox.test.ts': '`npm run sandbox` as a child process on its temp SQLite file; the sandbox itself runs on PostgreSQL in tests/e2e',
  // Store nothing (no app, no database): the same on either engine.
  'tests/architecture/imports.test.ts': 'source layout only',
  'tests/daily/discord-errors.test.ts': 'REST errors against the emulator, no database',
  'tests/daily/render.test.ts': 'rendering only',
  'tests/daily/slots.test.ts': 'time arithmetic only',
  'tests/gateway/shard-stop.test.ts': 'the gateway socket only',
  'tests/greeting/adapter.test.ts': 'voice adapter only',
  'tests/greeting/attach.test.ts': 'voice attach only',
  'tests/greeting/sentence.test.ts': 'text only',
  'tests/greeting/speaker.test.ts': 'audio only',
  'tests/http/invite.test.ts': 'permission bits only',
  'tests/http/registration.test.ts': 'command registration against the emulator, no database',
  'tests/http/schema-compilers.test.ts': 'JSON schemas only',
  'tests/sandbox/fixture.test.ts': 'the emulator only',
  'tests/sandbox/mentions.test.ts': 'the emulator only',
  'tests/sandbox/soak-support.test.ts': 'the emulator only',
  'tests/sandbox/voice-cert.test.ts': 'certificates only',
  'tests/shared/gateway-connection.test.ts': 'the gateway socket only',
  'tests/shared/migration-order.test.ts': 'migration names only (they run on PostgreSQL in every other file)',
  'tests/shared/shards.test.ts': 'shard arithmetic only',
  'tests/stats/argsort.test.ts': 'sorting only',
  'tests/stats/discord-after-chart.test.ts': 'module loading only',
  'tests/voice/rest-errors.test.ts': 'REST errors against the emulator, no database',
};

/**
 * On PGlite only: files whose bot processes must share one database. PGlite lives inside one process
 * (tests/helpers/engine.ts); the real server (`npm run test:postgres`) runs them. Tests of that kind
 * inside other files are skipped by name, and the run's last lines count them.
 */
export const NOT_ON_PGLITE: Record<string, string> = {
  'tests/cluster/processes.test.ts': 'three `npm start` processes on one database',
  'tests/daily/two-processes.test.ts':
    "two apps' connections racing for the rate budget's and the lease's row locks: PGlite is one session, so one app's open transaction stalls the other's (both tests timed out)",
};

// Not mergeConfig: it would append to the default suite's lists instead of replacing them.
const { projects, ...shared } = base.test ?? {};
const skipped = [...Object.keys(NOT_ON_POSTGRES), ...(process.env.TEST_DB === 'postgres' ? [] : Object.keys(NOT_ON_PGLITE))];

export default defineConfig({
  test: {
    ...shared,
    // The default suite's projects (the wall-clock files last, one per core), each without the files above,
    // files sharing their worker process as in `npm test`: one PGlite instance per worker process,
    // started by the setup file before its first file's tests and kept for the next files, each test
    // database a schema of its own in it (tests/helpers/engine.ts). A PGlite start per file was most of
    // this run's time: 592 s with a process per file, 266 s shared (2026-12-05).
    projects: (projects as TestProjectInlineConfiguration[]).map((p) => ({
      ...p,
      test: { ...p.test, exclude: [...(p.test?.exclude ?? []).filter((f) => !POSTGRES_ONLY.includes(f)), ...skipped] },
    })),
    // Starting PGlite takes seconds, more on a busy machine: the first file of each worker waits for it.
    setupFiles: [...[shared.setupFiles ?? []].flat(), 'tests/helpers/engine-setup.ts'],
    hookTimeout: 120_000,
    testTimeout: 60_000,
    env: { TEST_DB: process.env.TEST_DB ?? 'pglite' },
  },
});
