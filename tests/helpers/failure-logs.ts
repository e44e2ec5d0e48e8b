import { afterAll, afterEach, beforeEach } from 'vitest';
import { takeLogLines } from './log-buffer.js';

/**
 * Setup file (both configs): a failed test's error ends with the warnings and errors the bot logged
 * during it (tests/helpers/log-buffer.ts), so the JSON report CI prints from carries them too; a
 * describe whose set-up failed, what was logged during that set-up (shown in the run's output).
 */
beforeEach(() => {
  takeLogLines();
});

/** Appends the lines to a failed task's first error (message and stack: reporters print one or the other). */
function append(result: { state?: string; errors?: { message: string; stack?: string }[] } | undefined, during: string): void {
  const logged = takeLogLines();
  const error = result?.errors?.[0];
  if (result?.state !== 'fail' || !error || logged.length === 0) return;
  const tail = `\nthe bot logged during ${during} (warn and above, last ${logged.length}):\n${logged.map((l) => `  ${l}`).join('\n')}`;
  error.message += tail;
  if (error.stack) error.stack += tail;
}

afterEach((context) => append(context.task.result, 'this test'));

// A describe whose beforeAll failed ran no test (so no afterEach): its error gets what was logged since.
// Vitest wants the first argument (fixtures) destructured, and this hook uses none of them.
// eslint-disable-next-line no-empty-pattern
afterAll(({}, file) => {
  for (const suite of file.tasks) if (suite.type === 'suite' && suite.result?.state === 'fail') return append(suite.result, 'its set-up');
  takeLogLines();
});
