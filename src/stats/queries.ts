import { sql, type Kysely, type RawBuilder } from 'kysely';
import { DateTime } from 'luxon';
import { isPostgres, largerOf, smallerOf, unindexed } from '../shared/db/dialect-sql.js';
import type { Database } from '../shared/db/schema.js';
import { DEFAULT_SETTINGS } from '../shared/services/guild-config.js';
import { afterMidnightMask } from '../shared/time/slots.js';
import { notExcluded, withoutExcluded, type StatsScope } from './scope.js';

/** A voice stay clipped to the scope's window; open stays end at the scope's "now". */
import type { Stay } from '../shared/algorithms/copresence.js';

export type { Stay };

/**
 * Stays overlapping the window, clipped to it in SQL, in no particular order (every consumer
 * sorts what it needs).
 *
 * SQLite returns one row per member, channel and AFK flag with that group's stays packed as text
 * ("start,end,start,end,…", ms after the window start), read from the covering index
 * `voice_stays_member_channel` in its own order: no table row and no sort. One JS row per stay
 * instead (an array or object with two id strings) costs five to ten times the query itself at
 * 200k stays; here the ids are two strings per group, shared by its stays.
 * - The unary `+` keeps SQLite from seeking the time index instead (`INDEXED BY` would fail on a
 *   read-only copy older than the index, which the CLI may be given; there the query is slower).
 * - The casts matter: a bound JS number is a REAL, and "123.0" is not what `unpackPairs` reads.
 * - A short range still walks the guild's whole history in the index: about 25 ms per 200k stays.
 *
 * PostgreSQL packs the same text with `string_agg` (its own functions, the same numbers), so both
 * engines give the same stays through one unpacking path.
 */
export async function loadStays(db: Kysely<Database>, scope: StatsScope, only: StaysFilter = {}): Promise<Stay[]> {
  const { from } = scope;
  const stays: Stay[] = [];
  const query = isPostgres(db) ? packedStaysQueryPostgres(scope, only) : packedStaysQuery(scope, only);
  for (const group of (await query.execute(db)).rows) {
    const { channel_id: channelId, user_id: userId } = group;
    const afk = Number(group.afk);
    unpackPairs(group.spans, (start, end) => stays.push({ channelId, userId, start: from + start, end: from + end, afk }));
  }
  return stays;
}

export interface StaysFilter {
  userId?: string;
  playingOnly?: boolean;
}

/** {@link loadStays}' query: one row per member, channel and AFK flag, its stays packed in `spans`. */
function packedStaysQuery(scope: StatsScope, only: StaysFilter = {}) {
  const { from } = scope;
  const end = sql`coalesce(ended_at, ${scope.now})`;
  return sql<{ channel_id: string; user_id: string; afk: number; spans: string }>`
    select channel_id, user_id, afk,
      group_concat(cast(max(started_at, ${from}) - ${from} as integer) || ',' || cast(min(${end}, ${scope.to}) - ${from} as integer)) as spans
    from voice_stays
    where guild_id = ${scope.guildId} and +started_at < ${scope.to} and ${end} > ${from}
      ${and(only.userId === undefined ? undefined : sql`user_id = ${only.userId}`)}
      ${and(only.playingOnly ? sql`afk = 0` : undefined)}
      ${and(notExcluded(scope))}
    group by user_id, channel_id, afk`;
}

/** {@link packedStaysQuery} in PostgreSQL's words: `string_agg`, `greatest`/`least`, no planner hint. */
function packedStaysQueryPostgres(scope: StatsScope, only: StaysFilter = {}) {
  const { from } = scope;
  const end = sql`coalesce(ended_at, ${scope.now})`;
  return sql<{ channel_id: string; user_id: string; afk: number; spans: string }>`
    select channel_id, user_id, afk,
      string_agg((greatest(started_at, ${from}) - ${from})::text || ',' || (least(${end}, ${scope.to}) - ${from})::text, ',') as spans
    from voice_stays
    where guild_id = ${scope.guildId} and started_at < ${scope.to} and ${end} > ${from}
      ${and(only.userId === undefined ? undefined : sql`user_id = ${only.userId}`)}
      ${and(only.playingOnly ? sql`afk = 0` : undefined)}
      ${and(notExcluded(scope))}
    group by user_id, channel_id, afk`;
}

/** `and <condition>` inside a query written with the `sql` tag; nothing without one. */
function and(condition: RawBuilder<unknown> | undefined): RawBuilder<unknown> {
  return condition ? sql`and ${condition}` : sql``;
}

/**
 * Reads "a,b,c,d" (non-negative integers; `:` separates as `,` does) as the pairs (a, b), (c, d)
 * without a string per number: how the bulk reads unpack what SQLite packed with group_concat.
 */
function unpackPairs(text: string, pair: (a: number, b: number) => void): void {
  let value = 0;
  let first = -1;
  for (let i = 0, n = text.length; i <= n; i++) {
    const code = i < n ? text.charCodeAt(i) : 44;
    if (code !== 44 && code !== 58) {
      if (code < 48 || code > 57) throw new Error(`unexpected ${JSON.stringify(text[i])} in packed rows`);
      value = value * 10 + (code - 48);
      continue;
    }
    if (first < 0) first = value;
    else {
      pair(first, value);
      first = -1;
    }
    value = 0;
  }
}

/** Display names from the member cache; {@link nameOf} falls back to the id. */
export async function loadNames(db: Kysely<Database>, guildId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('members').select(['user_id', 'display_name']).where('guild_id', '=', guildId).execute();
  return new Map(rows.map((r) => [r.user_id, r.display_name]));
}

export function nameOf(names: ReadonlyMap<string, string>, userId: string): string {
  return names.get(userId) ?? userId;
}

/** Channel names from the guild cache, for legends; unknown channels show as `#<id>`. */
export async function loadChannelNames(db: Kysely<Database>, guildId: string): Promise<Map<string, string>> {
  const row = await db.selectFrom('guilds').select('channels').where('guild_id', '=', guildId).executeTakeFirst();
  const map = new Map<string, string>();
  try {
    for (const c of JSON.parse(row?.channels ?? '[]') as { id: string; name: string }[]) map.set(c.id, c.name);
  } catch {
    // A malformed cache only costs us the names.
  }
  return map;
}

/**
 * Non-AFK voice time per member inside the window, most first — a plain SQL aggregate, from the
 * covering index in member order (the `+` as in {@link loadStays}: seeking the time index would
 * read every table row and sort them).
 */
export async function voiceTotals(db: Kysely<Database>, scope: StatsScope): Promise<{ userId: string; ms: number }[]> {
  const end = sql<number>`coalesce(ended_at, ${scope.now})`;
  const query = db
    .selectFrom('voice_stays')
    .select(['user_id', sql<number>`sum(${sql.raw(smallerOf(db))}(${end}, ${scope.to}) - ${sql.raw(largerOf(db))}(started_at, ${scope.from}))`.as('ms')])
    .where('guild_id', '=', scope.guildId)
    .where('afk', '=', 0)
    .where(unindexed(db, 'started_at'), '<', scope.to)
    .where(end, '>', scope.from)
    .groupBy('user_id');
  const rows = await withoutExcluded(query, scope).orderBy('ms', 'desc').orderBy('user_id').execute();
  return rows.map((r) => ({ userId: r.user_id, ms: Number(r.ms) }));
}

/**
 * When each member with a presence signal was last in voice (AFK excluded), whatever the window.
 * A presence signal is a voice stay (AFK included) or a row on a daily message (hours declared,
 * taken back or seen in voice): something the member did, which `/privacy erase` deletes. A bare
 * `members` row is not one: the cache is refilled by any interaction, reaction or lookup, so it
 * would bring back an erased member as "never seen". Members with a signal but no non-AFK stay
 * have `lastSeen` null. `trackedSince` is the guild's first recorded stay.
 */
export async function lastSeen(db: Kysely<Database>, scope: StatsScope): Promise<{ members: { userId: string; lastSeen: number | null }[]; trackedSince: number | null }> {
  // One group per member, in the (guild_id, user_id, …) covering index's order: no table row read.
  const seenQuery = db
    .selectFrom('voice_stays')
    .select(['user_id', sql<number | null>`max(case when afk = 0 then coalesce(ended_at, ${scope.now}) end)`.as('last')])
    .where('guild_id', '=', scope.guildId)
    .groupBy('user_id');
  const seen = await withoutExcluded(seenQuery, scope).execute();
  // Distinct members on daily messages, from the (guild_id, user_id) index alone.
  const onMessages = await withoutExcluded(db.selectFrom('availability').select('user_id').distinct().where('guild_id', '=', scope.guildId), scope).execute();
  const first = await db
    .selectFrom('voice_stays')
    .select((eb) => eb.fn.min('started_at').as('first'))
    .where('guild_id', '=', scope.guildId)
    .executeTakeFirst();
  const byUser = new Map<string, number | null>();
  for (const r of onMessages) byUser.set(r.user_id, null);
  for (const r of seen) byUser.set(r.user_id, r.last === null ? null : Number(r.last));
  return {
    members: [...byUser].map(([userId, last]) => ({ userId, lastSeen: last })),
    trackedSince: first?.first == null ? null : Number(first.first),
  };
}

/**
 * Declared hours (reaction or schedule) on guild-local calendar dates in [fromDate, toDate], one
 * row per member and date with the hours as a bit mask (bit h = hour h).
 *
 * `availability` is stored per daily message: the message for D covering 20:00–02:00 keeps its
 * after-midnight hours as date D, hours 0–2, though they are on D + 1 (schedules work the same way:
 * "a day means that evening"). Here each message's hours are moved to the calendar date they fall
 * on, using the first and last hour the message was posted with (see `eveningsOf`), so
 * every chart reads real dates. Messages from the day before `fromDate` are read for that reason.
 *
 * SQLite folds the hours into one mask per member and message date and packs each member's as
 * text ("20260105:3670016,…"), reading the covering index `availability_member_date` in its
 * order (the `+` as in `loadStays`): 300k hour rows come back as one row per member, not 100k rows
 * with two strings each.
 */
export async function declaredDays(db: Kysely<Database>, scope: StatsScope, fromDate: string, toDate: string, userId?: string): Promise<{ userId: string; date: string; hours: number }[]> {
  const firstPostDate = DateTime.fromISO(fromDate, { zone: 'UTC' }).minus({ days: 1 }).toISODate()!;
  const query = (isPostgres(db) ? packedDeclaredQueryPostgres : packedDeclaredQuery)(scope, firstPostDate, toDate, userId);
  const evenings = await eveningsOf(db, scope, firstPostDate, toDate);
  const isoOf = new Map<number, string>();
  const iso = (day: number) => {
    let date = isoOf.get(day);
    if (date === undefined) {
      const digits = String(day);
      isoOf.set(day, (date = `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}`));
    }
    return date;
  };
  const out: { userId: string; date: string; hours: number }[] = [];
  for (const { user_id: user, days } of (await query.execute(db)).rows) {
    // One row per member (SQL grouped by it): a message's after-midnight hours merge into this member's next date.
    const mine = new Map<string, { userId: string; date: string; hours: number }>();
    const add = (date: string, hours: number) => {
      if (hours === 0 || date < fromDate || date > toDate) return;
      const row = mine.get(date);
      if (row) row.hours |= hours;
      else mine.set(date, { userId: user, date, hours });
    };
    unpackPairs(days, (day, hours) => {
      const date = iso(day);
      const evening = evenings(date);
      add(date, hours & ~evening.nextMask);
      if (evening.nextDate) add(evening.nextDate, hours & evening.nextMask);
    });
    for (const row of mine.values()) out.push(row);
  }
  return out;
}

/** {@link declaredDays}' query: one row per member, `days` packed as "yyyymmdd:mask,…" per message date. */
function packedDeclaredQuery(scope: StatsScope, firstPostDate: string, toDate: string, userId?: string) {
  return sql<{ user_id: string; days: string }>`
    select user_id, group_concat(day || ':' || hours) as days from (
      select user_id, cast(replace(date, '-', '') as integer) as day, sum(1 << hour) as hours
      from availability
      where guild_id = ${scope.guildId} and declared in ('schedule', 'reaction') and +date >= ${firstPostDate} and +date <= ${toDate}
        ${and(userId === undefined ? undefined : sql`user_id = ${userId}`)}
        ${and(notExcluded(scope))}
      group by user_id, date)
    group by user_id`;
}

/**
 * {@link packedDeclaredQuery} in PostgreSQL's words: `string_agg`, a bigint shift, and the derived
 * table named (PostgreSQL before 16 requires it).
 */
function packedDeclaredQueryPostgres(scope: StatsScope, firstPostDate: string, toDate: string, userId?: string) {
  return sql<{ user_id: string; days: string }>`
    select user_id, string_agg(day::text || ':' || hours::text, ',') as days from (
      select user_id, cast(replace(date, '-', '') as integer) as day, sum(1::bigint << hour::integer) as hours
      from availability
      where guild_id = ${scope.guildId} and declared in ('schedule', 'reaction') and date >= ${firstPostDate} and date <= ${toDate}
        ${and(userId === undefined ? undefined : sql`user_id = ${userId}`)}
        ${and(notExcluded(scope))}
      group by user_id, date) as per_date
    group by user_id`;
}

/** Which hours of a daily message fall on the next calendar date (bit mask), and that date. */
interface Evening {
  nextMask: number;
  nextDate: string | null;
}

/**
 * For each daily message date, its hours after midnight, from the message's own first/last hour
 * (the guild's current ones if the message row is missing): the daily message's own rule
 * (`eveningHours`, as `slotsFor` uses it) without a slot computation per date — which hours cross
 * midnight depends only on first/last, and the next calendar date not on the zone. (An hour a spring-forward skips is in the mask too; no row can hold it.)
 */
async function eveningsOf(db: Kysely<Database>, scope: StatsScope, fromDate: string, toDate: string): Promise<(date: string) => Evening> {
  const posts = await db
    .selectFrom('daily_posts')
    .select(['date', 'first_hour', 'last_hour'])
    .where('guild_id', '=', scope.guildId)
    .where('date', '>=', fromDate)
    .where('date', '<=', toDate)
    .execute();
  const byDate = new Map(posts.map((p) => [p.date, p]));
  const config = await db.selectFrom('guild_config').select(['first_hour', 'last_hour']).where('guild_id', '=', scope.guildId).executeTakeFirst();
  const cache = new Map<string, Evening>();
  return (date) => {
    let evening = cache.get(date);
    if (evening) return evening;
    const post = byDate.get(date);
    const [first, last] = post ? [post.first_hour, post.last_hour] : [config?.first_hour ?? DEFAULT_SETTINGS.firstHour, config?.last_hour ?? DEFAULT_SETTINGS.lastHour];
    const nextMask = afterMidnightMask(first, last);
    evening = { nextMask, nextDate: nextMask === 0 ? null : DateTime.fromISO(date, { zone: 'UTC' }).plus({ days: 1 }).toISODate() };
    cache.set(date, evening);
    return evening;
  };
}

/** A member's own zone if they set one, else the guild's. */
export async function memberZone(db: Kysely<Database>, scope: StatsScope, userId: string): Promise<string> {
  const row = await db.selectFrom('member_timezones').select('timezone').where('guild_id', '=', scope.guildId).where('user_id', '=', userId).executeTakeFirst();
  return row?.timezone ?? scope.zone;
}

/** The guild with the most voice stays in the file, for the CLI's default. */
export async function busiestGuild(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db
    .selectFrom('voice_stays')
    .select(['guild_id', sql<number>`count(*)`.as('n')])
    .groupBy('guild_id')
    .orderBy('n', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.guild_id;
}

/** The member with the most non-AFK voice time in a guild, for the CLI's default timeline. */
export async function mostActiveMember(db: Kysely<Database>, guildId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('voice_stays')
    .select(['user_id', sql<number>`sum(coalesce(ended_at, started_at) - started_at)`.as('ms')])
    .where('guild_id', '=', guildId)
    .where('afk', '=', 0)
    .groupBy('user_id')
    .orderBy('ms', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.user_id;
}
