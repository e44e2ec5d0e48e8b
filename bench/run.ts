/**
 * `npm run bench -- <name> [args…]`: runs `bench/<name>.ts`'s exported `run(args)`.
 * Every benchmark prints a human table and, as its last line, one JSON object (see `lib/report.ts`).
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What a benchmark module exports. */
export interface Benchmark {
  run(args: string[]): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));

function available(): string[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

const [name, ...args] = process.argv.slice(2);
const names = available();
if (!name || !names.includes(name)) {
  process.stderr.write(`${name ? `unknown benchmark "${name}". ` : ''}usage: npm run bench -- <name>\navailable: ${names.join(', ')}\n`);
  process.exit(1);
}
const mod = (await import(pathToFileURL(`${here}/${name}.ts`).href)) as Partial<Benchmark>;
if (typeof mod.run !== 'function') {
  process.stderr.write(`bench/${name}.ts exports no run() function\n`);
  process.exit(1);
}
await mod.run(args);
