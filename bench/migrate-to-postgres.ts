/**
 * `npm run bench -- migrate-to-postgres [--sizes sandbox,year]`: how long `npm run admin --
 * migrate-to-postgres` takes to move a database, by size and target, all in one run:
 * - sandbox: one guild of 40 members, 3 000 voice stays over 70 days (what a small community or a
 *   sandbox session accumulates);
 * - year: the stats benchmark's year (500 members, 200 000 stays over 6 channels, declared hours).
 * Each is generated into an SQLite file, then moved into PGlite on disk (`pglite:///folder`) and, with
 * Debian's postgresql installed, into a throw-away PostgreSQL server on 127.0.0.1 (fsync off: the
 * server's disk is not what is measured). The time is the command's own work — checks, migrations,
 * copy, sequences, counts, commit — without Node's start (about a second).
 * Last line: one JSON object.
 */
import { join } from 'node:path';
import { migrateToPostgres } from '../src/cli/admin/to-postgres.js';
import { openDatabase } from '../src/shared/db/database.js';
import { migrateToLatest } from '../src/shared/db/migrate.js';
import { tempDir } from '../tests/helpers/app.js';
import { GUILD_ID } from '../tests/helpers/interactions.js';
import { startPostgres } from '../tests/helpers/postgres-server.js';
import { needs } from '../tests/helpers/programs.js';
import { printResult, printTable, progress, type Row } from './lib/report.js';
import { round } from './lib/stats.js';
import { seedSyntheticGuild } from './lib/synthetic.js';

const SIZES = {
  sandbox: { members: 40, stays: 3_000, channels: 3, days: 70 },
  year: { members: 500, stays: 200_000, channels: 6, days: 365 },
} as const;
type Size = keyof typeof SIZES;

export async function run(args: string[]): Promise<void> {
  const flag = args.indexOf('--sizes');
  const sizes = (flag >= 0 ? (args[flag + 1] ?? '') : 'sandbox,year').split(',') as Size[];
  for (const size of sizes) if (!(size in SIZES)) throw new Error(`--sizes takes sandbox and/or year (got ${size})`);
  const tmp = tempDir();
  const server = needs('postgres').missing ? null : await startPostgres();
  const rows: Row[] = [];
  const result: Record<string, number> = {};
  try {
    for (const size of sizes) {
      const source = join(tmp.dir, `${size}.sqlite`);
      const database = openDatabase(source);
      await migrateToLatest(database.db);
      const seeded = seedSyntheticGuild(database.sqlite, { guildId: GUILD_ID, zone: 'Europe/Paris', now: Date.now(), seed: 2026, ...SIZES[size] });
      database.checkpoint();
      await database.close();
      progress(`${size}: generated ${seeded.stays} stays and ${seeded.declared} declared hours`);
      const targets = [{ engine: 'PGlite (on disk)', url: `pglite://${join(tmp.dir, `${size}-pglite`)}` }, ...(server ? [{ engine: 'PostgreSQL 127.0.0.1', url: withSchema(server.url, size) }] : [])];
      for (const target of targets) {
        progress(`${size} → ${target.engine}`);
        const report = await migrateToPostgres(source, target.url);
        if (!report.ok) throw new Error(`counts differ moving ${size} into ${target.engine}`);
        const seconds = round(report.seconds, 1);
        rows.push({ database: size, target: target.engine, rows: report.rows, tables: report.tables.length, seconds, 'rows/s': Math.round(report.rows / report.seconds) });
        result[`${size}_${target.engine.startsWith('PGlite') ? 'pglite' : 'postgres'}_s`] = seconds;
        result[`${size}_rows`] = report.rows;
      }
    }
  } finally {
    server?.stop();
    tmp.cleanup();
  }
  printTable(rows, 'migrate-to-postgres: SQLite file → target, counts checked');
  printResult({ bench: 'migrate-to-postgres', ...result });
}

function withSchema(base: string, schema: string): string {
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return url.toString();
}
