import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progress } from './report.js';

/** The repository root (bench/lib/../..). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** Source files whose compiled `dist/` twin is missing or older than the source. */
export function staleOutputs(): string[] {
  return ['src', 'migrations'].flatMap((top) =>
    sources(join(ROOT, top)).filter((file) => {
      const out = join(ROOT, 'dist', relative(ROOT, file)).replace(/\.ts$/, '.js');
      return !existsSync(out) || statSync(out).mtimeMs < statSync(file).mtimeMs;
    }),
  );
}

/**
 * Makes sure `dist/` is the build of the current sources (runs `npm run build` when not), so a
 * benchmark measures the compiled JavaScript that `npm start` runs. A type error elsewhere in the
 * tree does not stop tsc from emitting; it is reported and the benchmark goes on if `required` exists.
 */
export function ensureBuilt(required: readonly string[]): void {
  const stale = staleOutputs();
  if (stale.length > 0) {
    progress(`dist/ is stale (${stale.length} file(s), e.g. ${relative(ROOT, stale[0]!)}): npm run build`);
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) {
      progress(`npm run build exited ${build.status}; its output:\n${(build.stdout + build.stderr).trim().split('\n').slice(0, 20).join('\n')}`);
    }
  }
  const missing = required.filter((p) => !existsSync(join(ROOT, p)));
  if (missing.length > 0) throw new Error(`build output missing: ${missing.join(', ')} (run npm run build and fix its errors)`);
}
