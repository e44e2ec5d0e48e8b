import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { coPresence } from '../../src/shared/algorithms/copresence.js';
import { startHarness, type Harness } from '../helpers/server.js';

const H = 3_600_000;
const NOW = Date.parse('2026-11-24T03:00:00Z');
const G = '900000000000000001';
const user = (n: number) => `10000000000000${1000 + n}`;
const [ME, LONG, OPTED, BOT, ELSEWHERE, AFK, DAYS] = [user(1), user(2), user(3), user(4), user(5), user(6), user(7)] as const;
const [A, B, AFKC] = ['200000000000002001', '200000000000002002', '200000000000002003'] as const;

/** Co-presence totals in `/privacy export`: who counts, and that they appear only as ids with a total. */
describe('export co-presence', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    vi.spyOn(h.app.clock, 'now').mockReturnValue(NOW);
    const stay = (user: string, channel: string, start: number, end: number | null, afk = 0) => ({ guild_id: G, channel_id: channel, user_id: user, started_at: start, ended_at: end, afk });
    await h.app.db
      .insertInto('voice_stays')
      .values([
        stay(ME, A, NOW - 3 * H, NOW - H), // my evening in channel A
        stay(ME, A, NOW - 50 * H, NOW - 49 * H), // and an hour two days ago
        stay(LONG, A, NOW - 72 * H, null), // in A for three days and still there: 3 h with me
        stay(OPTED, A, NOW - 3 * H, NOW - H), // opted out: never named
        stay(BOT, A, NOW - 3 * H, NOW - H), // a bot: never named
        stay(ELSEWHERE, B, NOW - 3 * H, NOW - H), // same time, another channel: not together
        stay(AFK, AFKC, NOW - 3 * H, NOW - H, 1),
        stay(ELSEWHERE, A, NOW - 49.5 * H, NOW - 40 * H), // half an hour with me two days ago
        stay(DAYS, A, NOW - 100 * H, NOW - 2 * H), // four days in A, left an hour before I did: 1 h + 1 h with me
      ])
      .execute();
    await h.app.db.insertInto('members').values({ guild_id: G, user_id: BOT, display_name: 'Beep', avatar: null, roles: '[]', bot: 1, fetched_at: 0 }).execute();
    await h.app.db.insertInto('privacy_opt_outs').values({ guild_id: G, user_id: OPTED, opted_out_at: 0 }).execute();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await h.close();
  });

  it('counts time in the same channel at the same time, leaving out opted-out members, bots and AFK', async () => {
    const data = await h.app.privacy.export(G, ME);
    expect(data.co_presence).toEqual([
      { member_id: LONG, hours: 3, ms: 3 * H },
      { member_id: DAYS, hours: 2, ms: 2 * H },
      { member_id: ELSEWHERE, hours: 0.5, ms: 0.5 * H },
    ]);
    expect(data.voice_stays).toHaveLength(2);
  });

  it('agrees with the charts’ sweep over every stay, multi-day and open stays included', async () => {
    // Another guild, so the stays above do not interfere: random stays from minutes to five days.
    const G2 = '900000000000000003';
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const people = Array.from({ length: 8 }, (_, i) => user(100 + i));
    const rows = Array.from({ length: 300 }, () => {
      const start = NOW - Math.floor(random() * 30 * 24) * H;
      const length = random() < 0.1 ? random() * 5 * 24 * H : random() * 4 * H;
      const end = random() < 0.03 ? null : Math.min(NOW, Math.floor(start + length + 60_000));
      return { guild_id: G2, channel_id: random() < 0.5 ? A : B, user_id: people[Math.floor(random() * people.length)]!, started_at: start, ended_at: end, afk: 0 };
    });
    // At most one open stay per member (the bot's own rule, and a unique index).
    const open = new Set<string>();
    for (const r of rows) {
      if (r.ended_at !== null) continue;
      if (open.has(r.user_id)) r.ended_at = r.started_at + H;
      else open.add(r.user_id);
    }
    await h.app.db.insertInto('voice_stays').values(rows).execute();
    const all = rows.map((r) => ({ channelId: r.channel_id, userId: r.user_id, start: r.started_at, end: r.ended_at ?? NOW, afk: 0 }));
    const expected = coPresence(all).filter((p) => p.a === people[0] || p.b === people[0]);
    expect(rows.some((r) => r.user_id !== people[0] && r.ended_at !== null && r.ended_at - r.started_at > 24 * H)).toBe(true);
    const data = await h.app.privacy.export(G2, people[0]!);
    const byId = (list: { member_id: string; ms: number }[]) => Object.fromEntries(list.map((p) => [p.member_id, p.ms]));
    expect(byId(data.co_presence)).toEqual(byId(expected.map((p) => ({ member_id: p.a === people[0] ? p.b : p.a, ms: p.ms }))));
    expect(data.co_presence.length).toBeGreaterThan(3);
  });

  it('an opted-out member’s own export still has their rows, and shows tracking off', async () => {
    const data = await h.app.privacy.export(G, OPTED);
    expect(data.voice_tracking.on).toBe(false);
    expect(data.voice_stays).toHaveLength(1);
    expect(data.co_presence.map((p) => p.member_id).sort()).toEqual([ME, LONG, DAYS].sort());
  });

  it('someone rollcall knows nothing about gets an empty export, not an error', async () => {
    const data = await h.app.privacy.export(G, '100000000000009999');
    expect(data).toMatchObject({ time_zone: null, profile: null, schedules: [], votes: [], voice_stays: [], co_presence: [], notices: [], other_tables: {} });
  });

  it('a table added later with a user_id column is exported and erased too, for this member only', async () => {
    const db = h.app.db;
    await sql`create table future_feature (guild_id text not null, user_id text not null, note text)`.execute(db);
    await sql`create table future_global (user_id text not null, flag integer)`.execute(db);
    for (const [guild, user, note] of [
      [G, ME, 'mine'],
      ['900000000000000002', ME, 'mine, another server'],
      [G, LONG, 'not mine'],
    ])
      await sql`insert into future_feature values (${guild}, ${user}, ${note})`.execute(db);
    await sql`insert into future_global values (${ME}, 1)`.execute(db);

    expect((await h.app.privacy.export(G, ME)).other_tables).toEqual({
      future_feature: [{ guild_id: G, user_id: ME, note: 'mine' }],
      future_global: [{ user_id: ME, flag: 1 }],
    });
    expect((await h.app.privacy.summary(G, ME)).other).toEqual({ future_feature: 1, future_global: 1 });
    const erased = await h.app.privacy.erase(G, ME);
    expect(erased).toMatchObject({ voiceStays: 2, other: { future_feature: 1, future_global: 1 }, keptOptOut: false });
    const left = (await sql`select note from future_feature order by note`.execute(db)).rows;
    expect(left).toEqual([{ note: 'mine, another server' }, { note: 'not mine' }]);
    expect((await sql`select count(*) as n from future_global`.execute(db)).rows).toEqual([{ n: 0 }]);
  });
});
