import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../../src/shared/db/schema.js';

/** Shape of a generated community. */
export interface SyntheticOptions {
  guildId: string;
  zone: string;
  members: number;
  /** Voice stays to generate (approximately; whole sessions are kept together). */
  stays: number;
  /** Voice channels, not counting the AFK channel. */
  channels: number;
  /** Last instant of generated data (unix ms); stays go back `days` days from it. */
  now: number;
  days: number;
  seed?: number;
  /**
   * When set, a member who declares an evening shows up with this chance (member index, day index
   * from the first day, ISO weekday), so members differ and change; see {@link driftingReliability}.
   * Without it (the stats benchmark) declarations follow presence as they always did.
   */
  reliability?: (member: number, dayIndex: number, weekday: number) => number;
}

/**
 * Members whose word is worth different amounts and changes over the year: each starts somewhere
 * between 35 % and 95 % sure to come when they said so, drifts linearly by up to ±45 points over
 * the `days`, and most have one weekday they flake on much more (−35 points). Its own random
 * stream (from `seed`), so the community's sessions stay those of the same seed.
 */
export function driftingReliability(members: number, days: number, seed = 7): (member: number, dayIndex: number, weekday: number) => number {
  const random = rng(seed);
  const traits = Array.from({ length: members }, () => ({
    base: 0.35 + 0.6 * random(),
    slope: (random() - 0.5) * 0.9,
    badDay: 1 + Math.floor(random() * 7),
    dip: random() < 0.6 ? 0.35 : 0,
  }));
  return (member, dayIndex, weekday) => {
    const t = traits[member]!;
    const r = t.base + t.slope * (dayIndex / days - 0.5) - (weekday === t.badDay ? t.dip : 0);
    return Math.min(0.98, Math.max(0.03, r));
  };
}

const FIRST = [
  'Alex',
  'Sam',
  'Robin',
  'Jules',
  'Kim',
  'Noa',
  'Max',
  'Lou',
  'Charlie',
  'Eden',
  'Mika',
  'Yuki',
  'Ana',
  'Zoé',
  'Leo',
  'Ines',
  'Hugo',
  'Nils',
  'Maya',
  'Tom',
  'Lena',
  'Omar',
  'Ivy',
  'Finn',
  'Sara',
];
const SECOND = ['Storm', 'Pixel', 'Frost', 'Blaze', 'Echo', 'Nova', 'Rook', 'Vex', 'Moss', 'Kite', 'Onyx', 'Sage', 'Wren', 'Jade', 'Bolt', 'Fern', 'Dusk', 'Lark', 'Mint', 'Reef'];

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Deterministic ids that look like snowflakes. */
export const syntheticUserId = (i: number) => String(800_000_000_000_000_000n + BigInt(i));
export const syntheticChannelId = (i: number) => String(700_000_000_000_000_000n + BigInt(i));

/**
 * Fills an already-migrated database with a plausible community: friend groups that meet in
 * their favourite channel on their favourite evenings, members who declare hours and mostly
 * show up, a few AFK stays and one member still in voice. For demos, tests and the benchmark.
 */
export function seedSyntheticGuild(sqlite: SQLite.Database, o: SyntheticOptions): { stays: number; declared: number } {
  const { members, channels, afk, stays, declared, dates } = generate(o);
  const t = o.now;
  sqlite.transaction(() => {
    sqlite.prepare('insert or replace into guild_config (guild_id, timezone, created_at, updated_at) values (?, ?, ?, ?)').run(o.guildId, o.zone, t, t);
    sqlite
      .prepare('insert or replace into guilds (guild_id, name, afk_channel_id, channels, updated_at) values (?, ?, ?, ?, ?)')
      .run(o.guildId, 'Synthetic Guild', afk.id, JSON.stringify([...channels, afk].map((c) => ({ id: c.id, name: c.name, type: 2 }))), t);
    const member = sqlite.prepare('insert or replace into members (guild_id, user_id, display_name, fetched_at) values (?, ?, ?, ?)');
    for (const m of members) member.run(o.guildId, m.id, m.name, t);
    const stay = sqlite.prepare('insert into voice_stays (guild_id, channel_id, user_id, started_at, ended_at, afk) values (?, ?, ?, ?, ?, ?)');
    for (const [channel, user, s, e, isAfk] of stays) stay.run(o.guildId, channel, user, s, e, isAfk);
    const post = sqlite.prepare(
      "insert or ignore into daily_posts (guild_id, date, channel_id, nonce, state, timezone, first_hour, last_hour, created_at) values (?, ?, ?, ?, 'reacted', ?, 16, 2, ?)",
    );
    for (const date of dates) post.run(o.guildId, date, syntheticChannelId(50), `n-${date}`, o.zone, t);
    const avail = sqlite.prepare("insert or ignore into availability (guild_id, date, user_id, hour, declared, updated_at) values (?, ?, ?, ?, 'reaction', ?)");
    for (const [date, user, hour] of declared.values()) avail.run(o.guildId, date, user, hour, t);
  })();
  return { stays: stays.length, declared: declared.size };
}

/**
 * {@link seedSyntheticGuild} through kysely, so the same community (same seed, same rows, same
 * stay ids in the same order) lands in SQLite, PGlite or a PostgreSQL server: what the engine
 * comparisons write into each. Slower than the prepared statements; for tests of a few weeks.
 */
export async function seedSyntheticGuildWith(db: Kysely<Database>, o: SyntheticOptions): Promise<{ stays: number; declared: number }> {
  const { members, channels, afk, stays, declared, dates } = generate(o);
  const t = o.now;
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('guild_config').values({ guild_id: o.guildId, timezone: o.zone, created_at: t, updated_at: t }).execute();
    const list = JSON.stringify([...channels, afk].map((c) => ({ id: c.id, name: c.name, type: 2 })));
    await trx.insertInto('guilds').values({ guild_id: o.guildId, name: 'Synthetic Guild', afk_channel_id: afk.id, channels: list, updated_at: t }).execute();
    await inBatches(members, (batch) =>
      trx
        .insertInto('members')
        .values(batch.map((m) => ({ guild_id: o.guildId, user_id: m.id, display_name: m.name, fetched_at: t })))
        .execute(),
    );
    await inBatches(stays, (batch) =>
      trx
        .insertInto('voice_stays')
        .values(batch.map(([channel, user, s, e, isAfk]) => ({ guild_id: o.guildId, channel_id: channel, user_id: user, started_at: s, ended_at: e, afk: isAfk })))
        .execute(),
    );
    const posts = [...dates].map((date) => ({
      guild_id: o.guildId,
      date,
      channel_id: syntheticChannelId(50),
      nonce: `n-${date}`,
      state: 'reacted' as const,
      timezone: o.zone,
      first_hour: 16,
      last_hour: 2,
      created_at: t,
    }));
    await inBatches(posts, (batch) => trx.insertInto('daily_posts').values(batch).execute());
    const hours = [...declared.values()].map(([date, user, hour]) => ({ guild_id: o.guildId, date, user_id: user, hour, declared: 'reaction' as const, updated_at: t }));
    await inBatches(hours, (batch) => trx.insertInto('availability').values(batch).execute());
  });
  return { stays: stays.length, declared: declared.size };
}

/** Multi-row inserts of 500 rows: well under PostgreSQL's 65 535 parameters a statement. */
async function inBatches<T>(rows: readonly T[], insert: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await insert(rows.slice(i, i + 500));
}

/** The community's rows, from the seed alone. */
function generate(o: SyntheticOptions) {
  const random = rng(o.seed ?? 1);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const members = Array.from({ length: o.members }, (_, i) => ({
    id: syntheticUserId(i),
    name: `${FIRST[i % FIRST.length]}${SECOND[Math.floor(i / FIRST.length) % SECOND.length]}${i >= FIRST.length * SECOND.length ? Math.floor(i / (FIRST.length * SECOND.length)) : ''}`,
  }));
  const channels = Array.from({ length: o.channels }, (_, i) => ({
    id: syntheticChannelId(i),
    name: ['general', 'ranked', 'chill', 'raid', 'minecraft', 'among-us', 'music', 'late-night'][i % 8]! + (i >= 8 ? `-${i}` : ''),
  }));
  const afk = { id: syntheticChannelId(99), name: 'afk' };

  // Friend groups of 3–12 with a home channel, favourite weekdays and a usual start hour.
  const groups: { members: number[]; channel: string; days: number[]; hour: number }[] = [];
  for (let i = 0; i < o.members;) {
    const size = Math.min(o.members - i, 3 + Math.floor(random() * 10));
    groups.push({
      members: Array.from({ length: size }, (_, k) => i + k),
      channel: pick(channels).id,
      days: [1 + Math.floor(random() * 7), 1 + Math.floor(random() * 7), 5 + Math.floor(random() * 3)],
      hour: 17 + Math.floor(random() * 6),
    });
    i += size;
  }

  const now = DateTime.fromMillis(o.now, { zone: o.zone });
  const first = now.startOf('day').minus({ days: o.days - 1 });
  // Each day's date, weekday and the instant of every local hour, from Luxon once (not per session).
  const calendar = Array.from({ length: o.days + 7 }, (_, i) => {
    const day = first.plus({ days: i });
    return { date: day.toISODate()!, weekday: day.weekday, hours: Array.from({ length: 24 }, (_, h) => day.set({ hour: h }).toMillis()) };
  });
  const stays: [string, string, number, number | null, number][] = [];
  const declared = new Map<string, [string, string, number]>();
  const dates = new Set<string>();
  const stillIn = new Set<string>();
  while (stays.length < o.stays) {
    const g = pick(groups);
    let dayIndex = Math.floor(random() * o.days);
    if (random() < 0.7) {
      // Prefer the group's favourite weekdays.
      const want = pick(g.days);
      dayIndex += (want - calendar[dayIndex]!.weekday + 7) % 7;
    }
    const day = calendar[dayIndex]!;
    const startHour = Math.min(23, Math.max(0, g.hour + Math.floor((random() - 0.5) * 4)));
    const start = { hour: startHour, ms: day.hours[startHour]! + Math.floor(random() * 60) * 60_000 };
    const length = (1 + random() * 3.5) * 3_600_000;
    const startMs = start.ms;
    if (startMs + 600_000 >= o.now) continue;
    const date = day.date;
    for (const m of g.members) {
      if (random() < 0.35) continue;
      const who = random() < 0.05 ? Math.floor(random() * o.members) : m;
      // A few members drift away (stop playing weeks or months ago); a very few never join voice.
      if (who % 97 === 13 || (who % 25 === 7 && startMs > o.now - (20 + (who % 150)) * 86_400_000)) continue;
      const id = members[who]!.id;
      // Most players said they would come (reaction), for the hours of the session: on that
      // evening's message, which runs 16:00 → 02:00, so a late session declares 0–2 am as well
      // (stored under the message's date, as the bot stores them).
      const declare = () => {
        for (let h = start.hour; h <= Math.min(24 + 2, start.hour + Math.floor(length / 3_600_000)); h++) {
          const hour = h % 24;
          declared.set(`${date} ${id} ${hour}`, [date, id, hour]);
          dates.add(date);
        }
      };
      if (o.reliability) {
        // Say first, then keep one's word or not; those who did not say come along anyway.
        const says = random() < 0.8;
        if (says) declare();
        if (says && random() >= o.reliability(who, dayIndex, day.weekday)) continue;
      }
      const s = startMs + Math.floor((random() - 0.3) * 1_800_000);
      let e = Math.min(s + length * (0.5 + random() * 0.7), o.now - 1);
      if (e <= s) continue;
      const inAfk = random() < 0.03;
      let open = false;
      if (o.now - e < 3_600_000 && !stillIn.has(id) && random() < 0.5) {
        open = true;
        stillIn.add(id);
      } else e = Math.floor(e);
      stays.push([inAfk ? afk.id : g.channel, id, s, open ? null : e, inAfk ? 1 : 0]);
      if (!o.reliability && random() < 0.75) declare();
    }
    // Some said they would come and did not.
    if (random() < 0.3) {
      const flake = members[pick(g.members)]!.id;
      declared.set(`${date} ${flake} ${start.hour}`, [date, flake, start.hour]);
      dates.add(date);
    }
  }

  return { members, channels, afk, stays, declared, dates };
}
