import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The last lines name each program a skipped test needed and this machine lacks.
    reporters: ['default', './tests/helpers/skip-reporter.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Tests start real servers on 127.0.0.1; two cores is the norm here.
    pool: 'forks',
  },
});
