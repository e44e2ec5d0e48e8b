import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type { OpenDatabase } from '../../src/shared/db/database.js';
import { migrateToLatest } from '../../src/shared/db/migrate.js';
import type { ChartName, ChartRequest, RangeName } from '../../src/stats/catalog.js';
import { StatsContext } from '../../src/stats/context.js';
import { resolveScope } from '../../src/stats/scope.js';
import { openTestDatabase } from '../helpers/engine.js';

export const GUILD = '900000000000000001';

/** A migrated SQLite file in a temp folder (or its schema on PostgreSQL: TEST_DB), with helpers to write the rows the bot would have written. */
export async function statsDb(zone = 'Europe/Paris') {
  // Not tests/helpers' tempDir: that module pulls in the whole app (REST client included), which
  // these tests of the stats core do not need.
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-test-stats-'));
  const path = `${dir}/rollcall.sqlite`;
  const database: OpenDatabase = openTestDatabase(path);
  await migrateToLatest(database.db);
  const { db } = database;
  await db.insertInto('guild_config').values({ guild_id: GUILD, timezone: zone, created_at: 0, updated_at: 0 }).execute();
  const local = (text: string) => DateTime.fromISO(text, { zone }).toMillis();
  return {
    path,
    db,
    /** The raw SQLite handle (SQLite-only tests); throws on PostgreSQL. */
    get sqlite() {
      return database.sqlite;
    },
    zone,
    /** `2026-10-25T01:30` read in the guild zone → unix ms. */
    local,
    async member(userId: string, name: string, bot = false) {
      await db
        .insertInto('members')
        .values({ guild_id: GUILD, user_id: userId, display_name: name, bot: bot ? 1 : 0, fetched_at: 0 })
        .execute();
    },
    async stay(channelId: string, userId: string, from: string, to: string | null, afk = false) {
      await db
        .insertInto('voice_stays')
        .values({ guild_id: GUILD, channel_id: channelId, user_id: userId, started_at: local(from), ended_at: to === null ? null : local(to), afk: afk ? 1 : 0 })
        .execute();
    },
    async declare(userId: string, date: string, hour: number, declared: 'reaction' | 'schedule' | 'out' = 'reaction') {
      await db
        .insertInto('daily_posts')
        .values({ guild_id: GUILD, date, channel_id: '1', nonce: `n${date}`, state: 'posted', timezone: zone, first_hour: 16, last_hour: 2, created_at: 0 })
        .onConflict((oc) => oc.doNothing())
        .execute();
      await db.insertInto('availability').values({ guild_id: GUILD, date, user_id: userId, hour, declared, updated_at: 0 }).execute();
    },
    async context(range: RangeName, now: string, extra: Partial<ChartRequest> = {}) {
      const request: ChartRequest = { guildId: GUILD, chart: 'total' as ChartName, range, now: local(now), ...extra };
      return new StatsContext(db, await resolveScope(db, request));
    },
    async close() {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type StatsDb = Awaited<ReturnType<typeof statsDb>>;
export const H = 3_600_000;
