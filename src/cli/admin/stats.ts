import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadBackup } from './download.js';
import { AdminError } from './errors.js';
import type { SshTarget } from './ssh.js';

/**
 * `stats --host …`: the charts of the Pi's database, drawn here. A fresh backup is taken on the Pi
 * and brought back (`download`: integrity-checked on both ends), then `npm run stats` draws from
 * that copy, which is deleted afterwards. Drawing here rather than on the Pi: the Pi keeps its CPU
 * for the bot, nothing new has to be installed or run there (the backup script already is), and
 * there is no second copy step for the PNGs; the price is moving the database file, a few MB.
 */
export async function remoteStats(target: SshTarget, args: readonly string[], draw: (args: string[]) => Promise<void>): Promise<void> {
  if (args.includes('--db')) throw new AdminError('--db names a file on this machine; with --host the charts come from the Pi’s database (leave out one or the other)');
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-stats-'));
  try {
    const copy = join(dir, 'rollcall.sqlite');
    await downloadBackup(target, copy);
    await draw([...args, '--db', copy]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
