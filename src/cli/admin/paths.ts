import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULTS } from '../../shared/config.js';

/** The checkout or release this admin tool belongs to (the folder with rollcall's package.json). */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate) && (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'rollcall') return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find rollcall’s package.json above the admin tool');
}

/** `deploy/` of this checkout: the shell scripts the remote actions send over ssh. */
export function deployDir(): string {
  return join(projectRoot(), 'deploy');
}

/** The database the local actions use: --database, else DATABASE_PATH, else the bot's default. */
export function databasePath(option?: string): string {
  return option?.trim() || process.env.DATABASE_PATH?.trim() || DEFAULTS.DATABASE_PATH;
}

/** Where the bot listens on this machine, from the same variables the bot reads. */
export function localBotUrl(): string {
  const host = process.env.HTTP_HOST?.trim() || DEFAULTS.HTTP_HOST;
  const port = process.env.HTTP_PORT?.trim() || DEFAULTS.HTTP_PORT;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
