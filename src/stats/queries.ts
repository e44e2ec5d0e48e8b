import type SQLite from 'better-sqlite3';
import { sql, type Compilable, type Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../shared/db/schema.js';
import { DEFAULT_SETTINGS } from '../shared/services/guild-config.js';
import { eveningHours } from '../shared/time/slots.js';
import { withoutExcluded, type StatsScope } from './scope.js';

/** A voice stay clipped to the scope's window; open stays end at the scope's "now". */
export interface Stay {
  channelId: string;
  userId: string;
  start: number;
  end: number;
  /** 1 in the AFK channel (never counted as playing), else 0. */
  afk: number;
}

/**
 * Stays overlapping the window, clipped to it in SQL, in no particular order (every consumer
 * sorts what it needs; an ORDER BY would walk the index and fetch rows out of order).
 *
 * With `sqlite` (the handle under `db`), the same kysely-built query runs in better-sqlite3's raw
 * mode and the objects are made here: at 200k rows that costs about a third less CPU than letting
 * the driver build an object per row.
 */
export async function loadStays(
  db: Kysely<Database>,
  scope: StatsScope,
  only: { userId?: string; playingOnly?: boolean } = {},
  sqlite?: SQLite.Database,
): Promise<Stay[]> {
  const end = sql<number>`coalesce(ended_at, ${scope.now})`;
  let query = db
    .selectFrom('voice_stays')
    .select([
      'channel_id as channelId',
      'user_id as userId',
      sql<number>`max(started_at, ${scope.from})`.as('start'),
      sql<number>`min(${end}, ${scope.to})`.as('end'),
      'afk',
    ])
    .where('guild_id', '=', scope.guildId)
    .where('started_at', '<', scope.to)
    .where(end, '>', scope.from);
  if (only.userId !== undefined) query = query.where('user_id', '=', only.userId);
  if (only.playingOnly) query = query.where('afk', '=', 0);
  const scoped = withoutExcluded(query, scope);
  if (!sqlite) return scoped.execute();
  return rawRows<[string, string, number, number, number]>(scoped, sqlite).map((r) => ({ channelId: r[0], userId: r[1], start: r[2], end: r[3], afk: r[4] }));
}

/**
 * Runs a kysely-built query in better-sqlite3's raw mode (rows as arrays, columns in select order):
 * for bulk reads of 100k+ rows that costs about a third less CPU than letting the driver build an
 * object per row.
 */
function rawRows<Row extends unknown[]>(query: Compilable, sqlite: SQLite.Database): Row[] {
  const compiled = query.compile();
  return sqlite
    .prepare(compiled.sql)
    .raw()
    .all(...compiled.parameters) as Row[];
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

/** Non-AFK voice time per member inside the window, most first — a plain SQL aggregate. */
export async function voiceTotals(db: Kysely<Database>, scope: StatsScope): Promise<{ userId: string; ms: number }[]> {
  const end = sql<number>`coalesce(ended_at, ${scope.now})`;
  const query = db
    .selectFrom('voice_stays')
    .select(['user_id', sql<number>`sum(min(${end}, ${scope.to}) - max(started_at, ${scope.from}))`.as('ms')])
    .where('guild_id', '=', scope.guildId)
    .where('afk', '=', 0)
    .where('started_at', '<', scope.to)
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
export async function lastSeen(
  db: Kysely<Database>,
  scope: StatsScope,
): Promise<{ members: { userId: string; lastSeen: number | null }[]; trackedSince: number | null }> {
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
 * row per member and date with the hours as a bit mask (bit h = hour h): SQL folds 300k slot rows
 * into a third as many.
 *
 * `availability` is stored per daily message: the message for D covering 20:00–02:00 keeps its
 * after-midnight hours as date D, hours 0–2, though they are on D + 1 (schedules work the same way:
 * "a day means that evening"). Here each message's hours are moved to the calendar date they fall
 * on, using the first and last hour the message was posted with (see `eveningsOf`), so
 * every chart reads real dates. Messages from the day before `fromDate` are read for that reason.
 */
export async function declaredDays(
  db: Kysely<Database>,
  scope: StatsScope,
  fromDate: string,
  toDate: string,
  userId?: string,
  sqlite?: SQLite.Database,
): Promise<{ userId: string; date: string; hours: number }[]> {
  const firstPostDate = DateTime.fromISO(fromDate, { zone: 'UTC' }).minus({ days: 1 }).toISODate()!;
  let query = db
    .selectFrom('availability')
    .select(['user_id as userId', 'date', sql<number>`sum(1 << hour)`.as('hours')])
    .where('guild_id', '=', scope.guildId)
    .where('declared', 'in', ['schedule', 'reaction'])
    .where('date', '>=', firstPostDate)
    .where('date', '<=', toDate)
    .groupBy(['date', 'user_id']);
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  const scoped = withoutExcluded(query, scope);
  const rows: [string, string, number][] = sqlite ? rawRows(scoped, sqlite) : (await scoped.execute()).map((r) => [r.userId, r.date, r.hours]);
  const evenings = await eveningsOf(db, scope, firstPostDate, toDate);
  const out = new Map<string, { userId: string; date: string; hours: number }>();
  const add = (user: string, date: string, hours: number) => {
    if (hours === 0 || date < fromDate || date > toDate) return;
    const key = `${user} ${date}`;
    const row = out.get(key);
    if (row) row.hours |= hours;
    else out.set(key, { userId: user, date, hours });
  };
  for (const [user, date, sum] of rows) {
    const evening = evenings(date);
    const hours = Number(sum);
    add(user, date, hours & ~evening.nextMask);
    if (evening.nextDate) add(user, evening.nextDate, hours & evening.nextMask);
  }
  return [...out.values()];
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
    let nextMask = 0;
    for (const absolute of eveningHours(first, last)) if (absolute >= 24) nextMask |= 1 << (absolute - 24);
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
