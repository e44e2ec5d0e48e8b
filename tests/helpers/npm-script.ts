import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** package.json's scripts, as `npm run` reads them. */
export const npmScripts = (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/**
 * The program and arguments `npm run <name>` starts, without npm in between, for `spawn` (`node` is the
 * Node running the tests). `file` stands in for the script's own file, to run another with the same command.
 */
export function npmScriptCommand(name: string, options: { file?: string } = {}): [program: string, args: string[]] {
  const command = npmScripts[name];
  if (!command) throw new Error(`package.json has no script ${name}`);
  const [program, ...args] = (options.file ? command.replace(/\S+\.ts$/, options.file) : command).split(' ');
  return [program === 'node' ? process.execPath : program!, args];
}
