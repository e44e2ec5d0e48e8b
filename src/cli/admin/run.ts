import { CommanderError } from 'commander';
import { messageOf } from './errors.js';
import { buildProgram } from './program.js';

/**
 * Runs one action from command-line words and returns the exit code. Failures end with exactly
 * one line on stderr: commander's own for bad usage, `rollcall admin: <why>` for everything else.
 */
export async function runCommandLine(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    process.stderr.write(`rollcall admin: ${messageOf(error).split('\n')[0]}\n`);
    return 1;
  }
}
