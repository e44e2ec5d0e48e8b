import { sql, type Kysely } from 'kysely';
import { indexedBy } from '../db/dialect-sql.js';
import type { Database, Declared } from '../db/schema.js';
import { coPresence, type Stay } from '../algorithms/copresence.js';
import { otherMemberTables, readOtherRows } from './privacy-tables.js';
import { exportReminders, type RemindersExport } from './privacy-reminders.js';
import { WEEKDAY_NAMES } from './schedules.js';

/**
 * Closed stays up to this long that overlap one of the member's began at most this long before
 * it: the bound that keeps the co-presence lookup on the `(guild_id, started_at)` index. Longer
 * closed stays are few and come from the partial index `voice_stays_long`, whose condition is this
 * same 24 h (migration 2026-12-01-001): change both together.
 */
const LONG_STAY_MS = 24 * 3_600_000;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * `/privacy export`: every row about one member in one guild. Times are ISO 8601 UTC. Other
 * members appear only as ids in `co_presence` totals, never with their stays.
 */
export interface PrivacyExport extends RemindersExport {
  format: 'rollcall-privacy-export/1';
  generated_at: string;
  guild_id: string;
  user_id: string;
  voice_tracking: { on: boolean; opted_out_at: string | null };
  /** Your `/timezone`; null when the server's zone stands in. */
  time_zone: { timezone: string; updated_at: string | null } | null;
  /** The member cache: how the daily message names you. */
  profile: { display_name: string; avatar: string | null; roles: string[]; bot: boolean; fetched_at: string | null } | null;
  schedules: { weekday: number; weekday_name: string; hour: number; created_at: string | null }[];
  /** One row per daily message date and hour slot you declared or were seen in voice. */
  votes: { date: string; hour: number; declared: Declared | null; seen_in_voice: boolean; updated_at: string | null }[];
  voice_stays: {
    id: number;
    channel_id: string;
    channel_name: string | null;
    started_at: string | null;
    /** null while still in the channel. */
    ended_at: string | null;
    end_estimated: boolean;
    afk: boolean;
    muted_or_deafened: { kind: 'mute' | 'deaf'; started_at: string | null; ended_at: string | null }[];
  }[];
  /** Time in the same voice channel as each other member (AFK never counts; members who opted out and bots are left out). */
  co_presence: { member_id: string; hours: number; ms: number }[];
  /** "Why did my reaction go away" messages sent to you (one per reason and day). */
  notices: { reason: string; date: string; sent_at: string | null }[];
  /** Rows about you in tables this list does not name yet, by table. */
  other_tables: Record<string, Record<string, unknown>[]>;
}

export async function buildExport(db: Kysely<Database>, q: { guildId: string; userId: string; now: number; optedOut: ReadonlySet<string> }): Promise<PrivacyExport> {
  const { guildId, userId, now } = q;
  const mine = { guild: guildId, user: userId };
  const [zone, profile, schedules, votes, stays, notices, guild] = await Promise.all([
    db.selectFrom('member_timezones').selectAll().where('guild_id', '=', mine.guild).where('user_id', '=', mine.user).executeTakeFirst(),
    db.selectFrom('members').selectAll().where('guild_id', '=', mine.guild).where('user_id', '=', mine.user).executeTakeFirst(),
    db.selectFrom('schedules').selectAll().where('guild_id', '=', mine.guild).where('user_id', '=', mine.user).orderBy('weekday').orderBy('hour').execute(),
    db.selectFrom('availability').selectAll().where('guild_id', '=', mine.guild).where('user_id', '=', mine.user).orderBy('date').orderBy('hour').execute(),
    db.selectFrom('voice_stays').selectAll().where('guild_id', '=', mine.guild).where('user_id', '=', mine.user).orderBy('started_at').orderBy('id').execute(),
    db.selectFrom('member_notices').selectAll().where('guild_id', '=', mine.guild).where('user_id', '=', mine.user).orderBy('date').execute(),
    db.selectFrom('guilds').select('channels').where('guild_id', '=', guildId).executeTakeFirst(),
  ]);
  const flags = stays.length
    ? await db
        .selectFrom('voice_flag_intervals')
        .selectAll()
        .where('stay_id', 'in', (eb) => eb.selectFrom('voice_stays').select('id').where('guild_id', '=', guildId).where('user_id', '=', userId))
        .orderBy('started_at')
        .orderBy('id')
        .execute()
    : [];
  const channelNames = parseChannels(guild?.channels);
  const optOut = await db.selectFrom('privacy_opt_outs').select('opted_out_at').where('guild_id', '=', guildId).where('user_id', '=', userId).executeTakeFirst();
  const other: PrivacyExport['other_tables'] = {};
  for (const table of await otherMemberTables(db)) {
    const rows = await readOtherRows(db, table, guildId, userId);
    if (rows.length) other[table.name] = rows;
  }
  return {
    format: 'rollcall-privacy-export/1',
    generated_at: new Date(now).toISOString(),
    guild_id: guildId,
    user_id: userId,
    voice_tracking: { on: !optOut, opted_out_at: iso(optOut?.opted_out_at ?? null) },
    time_zone: zone ? { timezone: zone.timezone, updated_at: iso(zone.updated_at) } : null,
    profile: profile ? { display_name: profile.display_name, avatar: profile.avatar, roles: parseStrings(profile.roles), bot: profile.bot === 1, fetched_at: iso(profile.fetched_at) } : null,
    schedules: schedules.map((s) => ({ weekday: s.weekday, weekday_name: WEEKDAY_NAMES[s.weekday - 1] ?? String(s.weekday), hour: s.hour, created_at: iso(s.created_at) })),
    votes: votes.map((v) => ({ date: v.date, hour: v.hour, declared: v.declared, seen_in_voice: v.seen_in_voice === 1, updated_at: iso(v.updated_at) })),
    voice_stays: stays.map((s) => ({
      id: s.id,
      channel_id: s.channel_id,
      channel_name: channelNames.get(s.channel_id) ?? null,
      started_at: iso(s.started_at),
      ended_at: iso(s.ended_at),
      end_estimated: s.end_estimated === 1,
      afk: s.afk === 1,
      muted_or_deafened: flags.filter((f) => f.stay_id === s.id).map((f) => ({ kind: f.kind, started_at: iso(f.started_at), ended_at: iso(f.ended_at) })),
    })),
    co_presence: await togetherWith(db, q, stays),
    notices: notices.map((n) => ({ reason: n.reason, date: n.date, sent_at: iso(n.sent_at) })),
    ...(await exportReminders(db, guildId, userId)),
    other_tables: other,
  };
}

/**
 * Co-presence totals between the member and everyone else, by the stats sweep, exact. Only stays
 * that overlap one of the member's, in the same channel, can count, so only those are loaded, in
 * three parts that together cover every stay: closed stays of at most {@link LONG_STAY_MS} (a join
 * driven by the member's own stays, each looking up the guild's stays that began at most that long
 * before it on the `(guild_id, started_at)` index), closed stays longer than that (the partial index
 * `voice_stays_long`), and stays still open (the partial index `voice_stays_open`). Members who
 * opted out and bots are left out, as in every chart.
 */
async function togetherWith(
  db: Kysely<Database>,
  q: { guildId: string; userId: string; now: number; optedOut: ReadonlySet<string> },
  stays: readonly { channel_id: string; started_at: number; ended_at: number | null; afk: number }[],
): Promise<PrivacyExport['co_presence']> {
  const { guildId, userId, now } = q;
  const mine: Stay[] = stays.filter((s) => s.afk === 0).map((s) => ({ channelId: s.channel_id, userId, start: s.started_at, end: s.ended_at ?? now, afk: 0 }));
  if (mine.length === 0) return [];
  const overlapping = await db
    // CROSS JOIN: SQLite keeps the member's stays as the outer loop, so `s` is looked up by time range.
    .selectFrom('voice_stays as m')
    .crossJoin('voice_stays as s')
    .select(['s.id', 's.channel_id', 's.user_id', 's.started_at', 's.ended_at'])
    .distinct()
    .where('m.guild_id', '=', guildId)
    .where('m.user_id', '=', userId)
    .where('m.afk', '=', 0)
    .where('s.guild_id', '=', guildId)
    .whereRef('s.channel_id', '=', 'm.channel_id')
    .where('s.afk', '=', 0)
    .where('s.user_id', '!=', userId)
    .where((eb) => eb('s.started_at', '>=', eb(eb.ref('m.started_at'), '-', LONG_STAY_MS)))
    .where((eb) => eb('s.started_at', '<', eb.fn.coalesce('m.ended_at', eb.val(now))))
    .where((eb) => eb(eb.fn.coalesce('s.ended_at', eb.val(now)), '>', eb.ref('m.started_at')))
    .execute();
  // A stay still open may have begun long before: few, and found on the partial index of open stays.
  const { rows: open } = await sql<{ id: number; channel_id: string; user_id: string; started_at: number; ended_at: null }>`
    select id, channel_id, user_id, started_at, ended_at from voice_stays ${indexedBy(db, 'voice_stays_open')}
    where guild_id = ${guildId} and ended_at is null and afk = 0`.execute(db);
  // So may a closed stay of days (a client left in a channel): few too, on their own partial index.
  // The bound is written into the SQL, not bound: SQLite only uses a partial index whose condition
  // appears literally in the query (and `indexed by` makes it an error if it ever does not).
  const { rows: long } = await sql<{ id: number; channel_id: string; user_id: string; started_at: number; ended_at: number }>`
    select id, channel_id, user_id, started_at, ended_at from voice_stays ${indexedBy(db, 'voice_stays_long')}
    where guild_id = ${guildId} and ended_at - started_at > ${sql.lit(LONG_STAY_MS)} and afk = 0
    and started_at < ${mine.reduce((a, m) => Math.max(a, m.end), 0)} and ended_at > ${mine.reduce((a, m) => Math.min(a, m.start), Infinity)}`.execute(db);
  const bots = new Set((await db.selectFrom('members').select('user_id').where('guild_id', '=', guildId).where('bot', '=', 1).execute()).map((r) => r.user_id));
  const seen = new Set<number>();
  const others: Stay[] = [];
  for (const r of [...overlapping, ...open, ...long]) {
    if (seen.has(r.id) || r.user_id === userId || bots.has(r.user_id) || q.optedOut.has(r.user_id)) continue;
    seen.add(r.id);
    others.push({ channelId: r.channel_id, userId: r.user_id, start: r.started_at, end: r.ended_at ?? now, afk: 0 });
  }
  return coPresence([...mine, ...others])
    .filter((p) => p.a === userId || p.b === userId)
    .map((p) => ({ member_id: p.a === userId ? p.b : p.a, hours: Math.round((p.ms / 3_600_000) * 100) / 100, ms: p.ms }));
}

function parseChannels(text: string | undefined): Map<string, string> {
  try {
    const value: unknown = JSON.parse(text ?? '[]');
    if (!Array.isArray(value)) return new Map();
    return new Map(value.filter((c): c is { id: string; name: string } => typeof c?.id === 'string' && typeof c?.name === 'string').map((c) => [c.id, c.name]));
  } catch {
    return new Map();
  }
}

function parseStrings(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
