/**
 * `npm run stats -- --chart <name|all> --range <r> --out <dir> [--guild <id>] [--db <path>] [--member <id>]
 *   [--min-hours <n>] [--days <n>]`
 * Draws the charts of `/stats` from the database file, without Discord.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { Command, InvalidArgumentError } from 'commander';
import { Kysely, SqliteDialect } from 'kysely';
import { systemClock } from '../shared/clock.js';
import { DEFAULTS } from '../shared/config.js';
import type { Database } from '../shared/db/schema.js';
import {
  CHART_NAMES,
  CHARTS,
  DEFAULT_INACTIVE_DAYS,
  DEFAULT_MIN_PAIR_MS,
  INACTIVE_DAYS_LIMITS,
  isChartName,
  isRangeName,
  MIN_HOURS_LIMITS,
  outOfLimits,
  PAIR_CHARTS,
  RANGE_NAMES,
  type ChartName,
  type RangeName,
} from '../stats/catalog.js';
import { busiestGuild, mostActiveMember } from '../stats/queries.js';
import { StatsService } from '../stats/service.js';

function fail(message: string, code = 1): never {
  process.stderr.write(`rollcall stats: ${message}\n`);
  process.exit(code);
}

/** Parses a whole number within `limits`, refusing anything else with one line. */
function limitedInteger(flag: string, limits: { min: number; max: number }) {
  return (text: string): number => {
    const value = /^\s*-?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
    if (outOfLimits(flag, value, limits)) throw new InvalidArgumentError(`${flag} takes a whole number from ${limits.min} to ${limits.max}.`);
    return value;
  };
}

const program = new Command()
  .name('npm run stats --')
  .description('Draw rollcall charts (PNG) from the database file.')
  .requiredOption('--chart <name>', `${CHART_NAMES.join(', ')} or all`, (value: string) => {
    if (value !== 'all' && !isChartName(value)) throw new InvalidArgumentError(`unknown chart; pick one of ${CHART_NAMES.join(', ')} or all.`);
    return value;
  })
  .option('--range <range>', `${RANGE_NAMES.join(', ')} (default: each chart's own, as in /stats)`, (value: string) => {
    if (!isRangeName(value)) throw new InvalidArgumentError(`unknown range; pick one of ${RANGE_NAMES.join(', ')}.`);
    return value;
  })
  .requiredOption('--out <dir>', 'folder for the PNG files (created if missing)')
  .option('--guild <id>', 'guild id (default: the one with the most voice stays)')
  .option('--member <id>', 'member for the timeline and personal charts (default: the most active)')
  .option('--db <path>', 'SQLite file (default: DATABASE_PATH or ./data/rollcall.sqlite)')
  .option('--min-hours <n>', `community and duos: leave out pairs with less time together (whole hours, default ${DEFAULT_MIN_PAIR_MS / 3_600_000})`, limitedInteger('--min-hours', MIN_HOURS_LIMITS))
  .option('--days <n>', `inactive: not in voice for this many days (default ${DEFAULT_INACTIVE_DAYS})`, limitedInteger('--days', INACTIVE_DAYS_LIMITS))
  .addHelpText('after', `\nCharts (default range):\n${CHART_NAMES.map((c) => `  ${c.padEnd(14)} ${CHARTS[c].description} (${CHARTS[c].defaultRange})`).join('\n')}`)
  .showHelpAfterError('(run with --help for usage)');

program.parse();
const opts = program.opts<{ chart: ChartName | 'all'; range?: RangeName; out: string; guild?: string; member?: string; db?: string; minHours?: number; days?: number }>();
// A flag must change what is drawn: refuse one the chosen chart does not use.
if (opts.minHours !== undefined && opts.chart !== 'all' && !PAIR_CHARTS.includes(opts.chart)) fail(`--min-hours applies to ${PAIR_CHARTS.join(' and ')} (or all), not ${opts.chart}.`);
if (opts.days !== undefined && opts.chart !== 'all' && opts.chart !== 'inactive') fail(`--days applies to inactive (or all), not ${opts.chart}.`);

const dbPath = resolve(opts.db ?? (process.env.DATABASE_PATH?.trim() || DEFAULTS.DATABASE_PATH));
if (!existsSync(dbPath)) fail(`no database at ${dbPath} (pass --db or set DATABASE_PATH).`);

let sqlite: SQLite.Database;
try {
  sqlite = new SQLite(dbPath, { readonly: true, fileMustExist: true });
} catch (error) {
  fail(`cannot open ${dbPath}: ${error instanceof Error ? error.message : String(error)}`);
}
const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });

/** A one-line bar on stderr, redrawn in place on a terminal; one line per chart otherwise. */
function progress(done: number, total: number, label: string): void {
  if (!process.stderr.isTTY) {
    process.stderr.write(`[${done}/${total}] ${label}\n`);
    return;
  }
  const width = 24;
  const filled = Math.round((width * done) / total);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${label}`.padEnd(70));
  if (done === total) process.stderr.write('\n');
}

/** `--range`, else the chart's own default (the same as `/stats` without `range`). */
const rangeOf = (chart: ChartName): RangeName => opts.range ?? CHARTS[chart].defaultRange;

let exitCode = 0;
try {
  const guildId = opts.guild ?? (await busiestGuild(db));
  if (!guildId) fail(`${dbPath} has no voice stays yet; nothing to draw (or pass --guild).`);
  const charts: ChartName[] = opts.chart === 'all' ? [...CHART_NAMES] : [opts.chart];
  const memberId = opts.member ?? (await mostActiveMember(db, guildId));
  mkdirSync(opts.out, { recursive: true });
  const service = new StatsService({ databasePath: dbPath, clock: systemClock, inline: db });
  const started = performance.now();
  progress(0, charts.length, 'starting');
  const results = await service.charts(
    charts.map((chart) => ({
      guildId,
      chart,
      range: rangeOf(chart),
      memberId: CHARTS[chart].perMember ? memberId : undefined,
      ...(opts.minHours !== undefined ? { minPairMs: opts.minHours * 3_600_000 } : {}),
      ...(opts.days !== undefined ? { inactiveDays: opts.days } : {}),
    })),
    (index, result) => progress(index + 1, charts.length, result.chart),
  );
  for (const result of results) {
    if (result.ok) {
      const file = join(opts.out, `${result.chart}-${rangeOf(result.chart)}.png`);
      writeFileSync(file, result.png);
      console.log(`${file}  ${result.width}×${result.height}  ${result.summary}`);
    } else {
      console.log(`${result.chart}: nothing to draw — ${result.reason}`);
    }
  }
  const drawn = results.filter((r) => r.ok).length;
  console.log(`${drawn} of ${results.length} chart(s) drawn in ${Math.round(performance.now() - started)} ms (guild ${guildId}).`);
  if (drawn === 0) exitCode = 2;
} catch (error) {
  process.stderr.write(`rollcall stats: ${error instanceof Error ? error.message : String(error)}\n`);
  exitCode = 1;
} finally {
  await db.destroy();
}
process.exit(exitCode);
