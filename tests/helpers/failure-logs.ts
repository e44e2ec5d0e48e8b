import { afterEach, beforeEach } from 'vitest';
import { takeLogLines } from './log-buffer.js';

/**
 * Setup file (both configs): a failed test's error ends with the warnings and errors the bot logged
 * during it (tests/helpers/log-buffer.ts), so the JSON report CI prints from carries them too.
 */
beforeEach(() => {
  takeLogLines();
});

afterEach((context) => {
  const logged = takeLogLines();
  const error = context.task.result?.errors?.[0];
  if (context.task.result?.state !== 'fail' || !error || logged.length === 0) return;
  const tail = `\nthe bot logged during this test (warn and above, last ${logged.length}):\n${logged.map((l) => `  ${l}`).join('\n')}`;
  error.message += tail;
  if (error.stack) error.stack += tail;
});
