import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { QUIET } from './tests/helpers/quiet-files.js';
import BySizeSequencer from './tests/helpers/sequencer.js';

/**
 * Files about PostgreSQL itself: they compare SQLite, PGlite and a server side by side (the engines'
 * schemas and locks, the charts' data, `migrate-to-postgres`) or need a server (the replicas
 * cluster). They pick their engines themselves, whatever `TEST_DB` says, and run with the rest of the
 * suite on PostgreSQL (`npm run test:pglite`, `npm run test:postgres`, both in `.ci/run`), not in
 * `npm test`: the default suite is the Pi's engine, SQLite, and starting PGlite again and again is
 * most of these files' minutes.
 */
export const POSTGRES_ONLY = ['tests/postgres/**', 'tests/cluster/replicas.test.ts'];

export default defineConfig({
  test: {
    // No `include` here: a project extending this config would add its own to it, not replace it.
    // The last lines name each program a skipped test needed and this machine lacks.
    reporters: ['default', './tests/helpers/skip-reporter.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Larger files first, whatever the results cache says (see the sequencer for why).
    sequence: { sequencer: BySizeSequencer },
    // A failed test's error carries what the bot logged at warn and above during it.
    setupFiles: ['tests/helpers/failure-logs.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['tests/**/*.test.ts'],
          exclude: [...QUIET, ...POSTGRES_ONLY],
          // Most tests wait on sockets, child processes and timers rather than compute: two files per
          // core and one more keep both cores busy (the suite used 1.4 of 2 cores with four). Five once
          // failed the page's chart, when the ops tests still built with tsc and the suite needed
          // ~600 s of CPU; at ~460 s five passed, 305 s instead of 319 (2026-12-05). Vitest's default
          // is one file at a time on a 2-core machine.
          maxWorkers: availableParallelism() * 2 + 1,
          // Not isolated: a worker process runs file after file, importing the app, the emulator and
          // their packages once instead of once per file (that import was a third of the suite's CPU:
          // 452 s of CPU and 290 s → 321 s and 224 s, 2026-12-05). Each test still builds its own
          // world — emulator, database file, app — and stops it; what a file leaves behind in the
          // process is a defect the next file finds (Vega-Lite's Set.prototype.toJSON was one:
          // tests/stats/discord-after-chart.test.ts). The wall-clock files below stay one per process.
          sequence: { groupOrder: 0 },
          isolate: false,
        },
      },
      { extends: true, test: { name: 'quiet', include: QUIET, maxWorkers: availableParallelism(), sequence: { groupOrder: 1 } } },
    ],
  },
});
