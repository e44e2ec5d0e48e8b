import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:pglite` / `npm run test:postgres`: the bot tests that hold rollcall's coordination
 * rules (the daily post's exactly-once intent, availability, the shared rate budget, the editor's
 * lease and coalescing) run again on PostgreSQL — PGlite (PostgreSQL compiled to WebAssembly, no
 * server needed) or a throw-away server (scripts/test-postgres.sh). The same test files as
 * `npm test`, parametrized by `TEST_DB` (tests/helpers/app.ts). Tests that reach for SQLite itself
 * (`app.sqlite`: pragmas, the backup API) stay out of this list.
 */
export const PGLITE_TESTS = [
  'tests/daily/evening.test.ts',
  'tests/daily/not-tonight.test.ts',
  'tests/daily/schedule.test.ts',
  'tests/daily/recovery.test.ts',
  'tests/daily/strays.test.ts',
  'tests/daily/departed.test.ts',
  'tests/daily/forecast.test.ts',
  'tests/voice/sessions.test.ts',
  'tests/http/config-command.test.ts',
];

// Not mergeConfig: it would append this list to the default suite's include instead of replacing it.
// Nor the default suite's projects: each names its own files and would run instead of this list.
const { projects: _projects, ...shared } = base.test ?? {};

export default defineConfig({
  test: {
    ...shared,
    include: PGLITE_TESTS,
    // Starting PGlite (initdb in WebAssembly) takes seconds, more on a busy machine: once per file.
    hookTimeout: 120_000,
    testTimeout: 60_000,
    env: { TEST_DB: process.env.TEST_DB ?? 'pglite' },
  },
});
