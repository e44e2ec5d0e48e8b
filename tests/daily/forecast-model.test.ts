import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { bumpPrivacyGeneration } from '../../src/shared/services/privacy-generation.js';
import { expectedInVoice, TurnoutForecast, turnoutModelFor } from '../../src/shared/services/turnout-forecast.js';
import { produceCharts } from '../../src/stats/produce.js';
import { GUILD, statsDb, type StatsDb } from '../stats/db.js';
import { expected, shrink, TODAY, w, WEDNESDAY, writeHistory } from './forecast-history.js';

const history = (s: StatsDb) =>
  writeHistory({
    declare: (who, date, hour, how) => s.declare(who, date, hour, how),
    stay: (who, channel, from, to, afk) => s.stay(channel, who, from, to, afk),
  });

describe('the turnout model on a constructed history', () => {
  let s: StatsDb;
  beforeEach(async () => {
    s = await statsDb();
    await history(s);
  });
  afterEach(() => s.close());
  const model = (excluded: string[] = [], now = s.local(`${TODAY}T12:00`)) => turnoutModelFor(s.db, { guildId: GUILD, zone: s.zone, date: TODAY, now, excluded: new Set(excluded) });

  it("gives each declared member their own shrunk show-up chance, per weekday, and a new member the guild's rate", async () => {
    const m = (await model())!;
    const e = expected(true);
    expect(m.hours).toBe(28);
    expect(m.prior).toBeCloseTo(e.prior, 12);
    expect(m.probability('alice', WEDNESDAY)).toBeCloseTo(e.alice, 12);
    expect(m.probability('bob', WEDNESDAY)).toBeCloseTo(e.bob, 12);
    expect(m.probability('erin', WEDNESDAY)).toBeCloseTo(e.erin, 12);
    expect(m.probability('newcomer', WEDNESDAY)).toBe(m.prior);
    // Carol never missed: high, but not certain after 16 hours.
    expect(m.probability('carol', 5)).toBeGreaterThan(0.9);
    expect(m.probability('carol', 5)).toBeLessThan(1);
  });

  it('leaves members with tracking off out of the history, the guild rate included', async () => {
    const m = (await model(['erin']))!;
    const e = expected(false);
    expect(m.hours).toBe(24);
    expect(m.prior).toBeCloseTo(e.prior, 12);
    expect(m.probability('alice', WEDNESDAY)).toBeCloseTo(e.alice, 12);
  });

  it('learns from days before today only: tonight, after midnight and tomorrow change nothing', async () => {
    const before = (await model())!;
    // Today Bob said 20–23 and came for all of it; Dan flaked tonight; tomorrow is declared already.
    for (const h of [20, 21, 22, 23]) await s.declare('bob', TODAY, h);
    await s.stay('squadA', 'bob', `${TODAY}T20:00`, `${TODAY}T23:59`);
    await s.declare('dan', TODAY, 21);
    await s.declare('dan', '2026-11-19', 21);
    // 01:00 after yesterday's message is today too (it ends after today's midnight).
    await s.declare('bob', '2026-11-17', 1);
    const late = (await model([], s.local('2026-11-19T03:00')))!;
    expect(late.hours).toBe(before.hours);
    expect(late.probability('bob', WEDNESDAY)).toBe(before.probability('bob', WEDNESDAY));
    expect(late.probability('dan', WEDNESDAY)).toBe(before.prior);
    // Asked yesterday at 21:30, an hour not over yet is not history either: 21:00–23:00 of Alice, Bob, Erin.
    expect((await model([], s.local('2026-11-17T21:30')))!.hours).toBe(28 - 7);
  });

  it('says nothing with too little history', async () => {
    expect(await turnoutModelFor(s.db, { guildId: GUILD, zone: s.zone, date: '2026-11-15', now: s.local('2026-11-15T12:00'), excluded: new Set() })).toBeNull(); // 8 hours before the 15th
  });

  it('likely N: declared members count their chance, seen in voice counts 1, "out" and tracking off count nothing', async () => {
    const forecast = new TurnoutForecast({ db: s.db, clock: new ManualClock(s.local(`${TODAY}T12:00`)) });
    const day = (await forecast.forDay(GUILD, TODAY, s.zone))!;
    const e = expected(true);
    const members = [
      { userId: 'alice', declared: 'reaction' as const, seenInVoice: false },
      { userId: 'bob', declared: 'schedule' as const, seenInVoice: false },
      { userId: 'newcomer', declared: 'reaction' as const, seenInVoice: false },
      { userId: 'dan', declared: 'out' as const, seenInVoice: false },
      { userId: 'frank', declared: null, seenInVoice: true },
    ];
    expect(expectedInVoice(day, members, WEDNESDAY)).toBeCloseTo(e.alice + e.bob + e.prior + 1, 12);
    // Erin turns tracking off: the next day's model (the generation changed) leaves her out.
    await s.db.insertInto('privacy_opt_outs').values({ guild_id: GUILD, user_id: 'erin', opted_out_at: 0 }).execute();
    expect(await forecast.forDay(GUILD, TODAY, s.zone)).toBe(day); // cached until then
    await bumpPrivacyGeneration(s.db, GUILD, 0);
    const after = (await forecast.forDay(GUILD, TODAY, s.zone))!;
    const withErin = [...members, { userId: 'erin', declared: 'reaction' as const, seenInVoice: false }];
    expect(expectedInVoice(after, withErin, WEDNESDAY)).toBeCloseTo(expected(false).alice + shrink(2 * w(1), 4 * w(1), expected(false).prior) + expected(false).prior + 1, 12);
  });

  it('/stats best-window shows what the forecast expects per weekday and hour', async () => {
    await s.member('alice', 'Alice');
    const now = s.local(`${TODAY}T12:00`);
    const [best] = await produceCharts(s.db, [{ guildId: GUILD, chart: 'best-window', range: '7d', now }]);
    if (!best?.ok) throw new Error('no chart');
    // Friday 13 → Monday 16 at 20:00 each had Carol alone declared: 1 × her chance on that weekday.
    const m = (await model())!;
    const carolFriday = Math.round(m.probability('carol', 5) * 10) / 10;
    // The busiest cell: Tuesday 20:00 (Alice, Bob and Erin declared on the 17th, the one Tuesday in 7 days).
    const tuesday = Math.round((m.probability('alice', 2) + m.probability('bob', 2) + m.probability('erin', 2)) * 10) / 10;
    expect(best.summary).toContain(`Forecast: most likely in voice Tue 20:00 (${tuesday} of those who usually declare it`);
    expect(tuesday).toBeGreaterThan(carolFriday);
    // Between what members said and what they did, in that order.
    const order = ['usually available (declared)', 'likely in voice (forecast)', 'usually present (in voice)'].map((panel) => best.svg.indexOf(`>${panel}<`));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
  });
});
