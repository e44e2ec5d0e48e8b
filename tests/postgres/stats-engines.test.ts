import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSyntheticGuildWith, syntheticUserId } from '../../bench/lib/synthetic.js';
import { openDatabase, type OpenDatabase } from '../../src/shared/db/database.js';
import { migrateToLatest } from '../../src/shared/db/migrate.js';
import { CHART_NAMES, type ChartName, type ChartRequest, type RangeName } from '../../src/stats/catalog.js';
import { StatsContext } from '../../src/stats/context.js';
import { BUILDERS } from '../../src/stats/produce.js';
import { resolveScope } from '../../src/stats/scope.js';
import { tempDir } from '../helpers/app.js';
import { startPostgres } from '../helpers/postgres-server.js';
import { needs } from '../helpers/programs.js';

/**
 * "The stats queries produce identical chart data on both": the same generated history — nine weeks
 * of two guilds in two zones across both daylight-saving ends, members with zones of their own, a
 * bot and an opted-out member, open stays, declared hours after midnight — written into an SQLite
 * file, into PGlite and (when Debian's postgresql is installed) into a real server, then every chart
 * of every range built from each: the Vega-Lite specs (every number and label drawn), titles and
 * summaries deep-equal.
 */

const PARIS = '900000000000000101';
const NEW_YORK = '900000000000000102';
/** 21:30 in Paris on a Thursday: the window spans Europe's (Oct 25) and America's (Nov 1) change of clocks. */
const NOW = DateTime.fromISO('2026-11-12T21:30', { zone: 'Europe/Paris' }).toMillis();
const GUILDS = [
  { guildId: PARIS, zone: 'Europe/Paris', seed: 11 },
  { guildId: NEW_YORK, zone: 'America/New_York', seed: 12 },
];
const RANGES: RangeName[] = ['7d', '90d', 'all'];

/** Writes the history through kysely, as the bot would on that engine. */
async function fill(database: OpenDatabase): Promise<void> {
  const { db } = database;
  await migrateToLatest(db);
  for (const g of GUILDS) {
    await seedSyntheticGuildWith(db, { ...g, members: 30, stays: 3_000, channels: 3, now: NOW, days: 63, reliability: (m) => 0.4 + (m % 5) / 10 });
    // Members who set their own zone: the timeline reads their days and hours in it.
    await db
      .insertInto('member_timezones')
      .values([
        { guild_id: g.guildId, user_id: syntheticUserId(0), timezone: 'Asia/Tokyo', updated_at: NOW },
        { guild_id: g.guildId, user_id: syntheticUserId(1), timezone: 'America/Los_Angeles', updated_at: NOW },
      ])
      .execute();
    // A bot and an opted-out member: left out of every figure, in SQL, on both engines.
    await db.updateTable('members').set({ bot: 1 }).where('guild_id', '=', g.guildId).where('user_id', '=', syntheticUserId(2)).execute();
    await db
      .insertInto('privacy_opt_outs')
      .values({ guild_id: g.guildId, user_id: syntheticUserId(3), opted_out_at: NOW })
      .execute();
  }
}

/** Every chart of every range for both guilds, as the render worker builds them before drawing. */
async function chartData(database: OpenDatabase): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const { guildId } of GUILDS) {
    for (const range of RANGES) {
      const request = (chart: ChartName): ChartRequest => ({ guildId, chart, range, now: NOW, ...(chart === 'timeline' || chart === 'reliability' ? { memberId: syntheticUserId(0) } : {}) });
      const ctx = new StatsContext(database.db, await resolveScope(database.db, request('total')));
      for (const chart of CHART_NAMES) out[`${guildId} ${range} ${chart}`] = await BUILDERS[chart](ctx, request(chart));
      // The timeline of a member in the guild's own zone, too.
      out[`${guildId} ${range} timeline (guild zone)`] = await BUILDERS.timeline(ctx, { ...request('timeline'), memberId: syntheticUserId(5) });
    }
  }
  return out;
}

describe('chart data on SQLite and on PostgreSQL', () => {
  const tmp = tempDir();
  let sqlite: Record<string, unknown>;
  beforeAll(async () => {
    const database = openDatabase(`${tmp.dir}/stats.sqlite`);
    try {
      await fill(database);
      sqlite = await chartData(database);
    } finally {
      await database.close();
    }
  }, 120_000);
  afterAll(() => tmp.cleanup());

  it('the generated history draws real charts on SQLite (the reference is not all "not enough data")', () => {
    const drawn = Object.entries(sqlite).filter(([, v]) => typeof v === 'object' && v !== null && 'spec' in v);
    // Every chart kind draws at least once (drifting needs 8 weeks: 90d and all).
    for (const chart of CHART_NAMES)
      expect(
        drawn.some(([key]) => key.endsWith(` ${chart}`)),
        chart,
      ).toBe(true);
    expect(drawn.length).toBeGreaterThan(Object.keys(sqlite).length * 0.8);
  });

  it('PGlite gives deep-equal chart data for every chart and range', { timeout: 180_000 }, async () => {
    const database = openDatabase('pglite://');
    try {
      await fill(database);
      expect(await chartData(database)).toEqual(sqlite);
    } finally {
      await database.close();
    }
  });

  const postgres = needs('postgres');
  it.skipIf(postgres.missing)(postgres.title('a PostgreSQL server gives deep-equal chart data for every chart and range'), { timeout: 180_000 }, async () => {
    const server = await startPostgres();
    const url = new URL(server.url);
    url.searchParams.set('schema', 'stats_engines');
    const database = openDatabase(url.toString());
    try {
      await fill(database);
      expect(await chartData(database)).toEqual(sqlite);
    } finally {
      await database.close();
      server.stop();
    }
  });
});
