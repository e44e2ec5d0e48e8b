import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null | undefined;

/**
 * The git commit this copy was deployed from: `deploy/deploy.sh` writes it to a `REVISION` file
 * next to package.json (a release has no .git). Null in a development checkout. `/healthz` shows
 * it so a deploy can tell the new process from the old one.
 */
export function appRevision(): string | null {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) {
      const file = join(dir, 'REVISION');
      cached = existsSync(file) ? readFileSync(file, 'utf8').trim() || null : null;
      return cached;
    }
    dir = dirname(dir);
  }
  return (cached = null);
}
