import { sql, type Kysely } from 'kysely';
import { always, bitOf, unindexed } from '../db/dialect-sql.js';
import { overlapMs, presenceByUser } from '../algorithms/said-showed.js';
import type { Database } from '../db/schema.js';
import { afterMidnightMask, dayHourBounds, weekdayOf } from '../time/slots.js';
import { DEFAULT_SETTINGS } from './guild-config.js';
import { dayNumber, type TurnoutObservation } from './turnout-model.js';

/** Which declared hours to read, and up to when a slot must have ended to count. */
export interface HistoryQuery {
  guildId: string;
  /** The guild's zone, for messages whose row is gone. */
  zone: string;
  /** First daily message date read (YYYY-MM-DD, inclusive). */
  fromDate: string;
  /** Messages of this date and later are not read. */
  beforeDate: string;
  /** Unix ms: an hour that had not ended by then is not history yet. */
  until: number;
  /** Members never read (tracking off, bots). */
  excluded: ReadonlySet<string>;
}

/** A message's hour as history: its bounds and weekday, or null when it does not count. */
type HourSlot = { start: number; end: number; weekday: number } | null;

/**
 * Every declared hour (reaction or schedule) on daily messages of [fromDate, beforeDate) that ended
 * by `until`, with whether the member was in voice at some moment of it (the voice stays, AFK left
 * out: the same said-vs-showed as `/stats reliability`). A message's after-midnight hours are on
 * the next calendar date, read with the hours and zone the message was posted with.
 */
export async function loadTurnoutHistory(db: Kysely<Database>, q: HistoryQuery): Promise<TurnoutObservation[]> {
  const notExcluded = q.excluded.size === 0 ? always(db) : sql<boolean>`user_id not in (${sql.join([...q.excluded])})`;
  // One row per member and message with the hours as a mask, from the covering index
  // `availability_member_date` (the `+` keeps SQLite off the primary key, which would read every row).
  const said = await db
    .selectFrom('availability')
    .select(['user_id', 'date', sql<number>`sum(${bitOf(db, 'hour')})`.as('hours')])
    .where('guild_id', '=', q.guildId)
    .where(unindexed(db, 'date'), '>=', q.fromDate)
    .where(unindexed(db, 'date'), '<', q.beforeDate)
    .where('declared', 'in', ['reaction', 'schedule'])
    .where(notExcluded)
    .groupBy(['user_id', 'date'])
    .execute();
  if (said.length === 0) return [];
  const hoursOf = await messageHours(db, q);
  // Non-AFK stays that may overlap a message's hours (from a day early: a post's zone may be far east).
  const end = sql<number>`coalesce(ended_at, ${q.until})`;
  const stays = await db
    .selectFrom('voice_stays')
    .select(['user_id as userId', 'started_at as start', end.as('end')])
    .where('guild_id', '=', q.guildId)
    .where('afk', '=', 0)
    .where(unindexed(db, 'started_at'), '<', q.until)
    .where(end, '>', dayNumber(q.fromDate) * 86_400_000 - 86_400_000)
    .where(notExcluded)
    // In member order: SQLite then reads the covering index (guild, user, …) in its order, where
    // with ANALYZE statistics of a one-guild file it would otherwise scan the whole table.
    .orderBy('user_id')
    .execute();
  const presence = presenceByUser(stays);
  const out: TurnoutObservation[] = [];
  for (const r of said) {
    const message = hoursOf(r.date);
    const mine = presence.get(r.user_id);
    for (let hour = 0; hour < 24; hour++) {
      const slot = r.hours & (1 << hour) ? message.slots[hour] : null;
      if (slot) out.push({ userId: r.user_id, day: message.day, weekday: slot.weekday, hour, showed: overlapMs(mine, slot.start, slot.end) > 0 });
    }
  }
  return out;
}

/**
 * For each message date, its 24 hours as history: where each falls (after-midnight hours on the
 * next date, by the message's own first/last hour and zone; the guild's current ones if its row is
 * gone), null for an hour the clocks skipped or that had not ended by `until`. Luxon is asked once
 * per calendar day, not per hour or per member.
 */
async function messageHours(db: Kysely<Database>, q: HistoryQuery): Promise<(date: string) => { day: number; slots: HourSlot[] }> {
  const posts = await db
    .selectFrom('daily_posts')
    .select(['date', 'timezone', 'first_hour', 'last_hour'])
    .where('guild_id', '=', q.guildId)
    .where('date', '>=', q.fromDate)
    .where('date', '<', q.beforeDate)
    .execute();
  const postOf = new Map(posts.map((p) => [p.date, p]));
  const config = await db.selectFrom('guild_config').select(['first_hour', 'last_hour']).where('guild_id', '=', q.guildId).executeTakeFirst();
  const fallback = { timezone: q.zone, first_hour: config?.first_hour ?? DEFAULT_SETTINGS.firstHour, last_hour: config?.last_hour ?? DEFAULT_SETTINGS.lastHour };
  const calendar = new Map<string, { weekday: number; hours: { start: number; end: number }[] }>();
  const calendarDay = (date: string, zone: string) => {
    const key = `${zone} ${date}`;
    let day = calendar.get(key);
    if (!day) calendar.set(key, (day = { weekday: weekdayOf(date), hours: dayHourBounds(date, zone) }));
    return day;
  };
  const messages = new Map<string, { day: number; slots: HourSlot[] }>();
  return (date) => {
    let message = messages.get(date);
    if (message) return message;
    const post = postOf.get(date) ?? fallback;
    const day = dayNumber(date);
    const nextMask = afterMidnightMask(post.first_hour, post.last_hour);
    const today = calendarDay(date, post.timezone);
    const tomorrow = nextMask === 0 ? today : calendarDay(new Date((day + 1) * 86_400_000).toISOString().slice(0, 10), post.timezone);
    const slots = Array.from({ length: 24 }, (_, hour): HourSlot => {
      const on = nextMask & (1 << hour) ? tomorrow : today;
      const b = on.hours[hour]!;
      return b.end > b.start && b.end <= q.until ? { start: b.start, end: b.end, weekday: on.weekday } : null;
    });
    messages.set(date, (message = { day, slots }));
    return message;
  };
}
