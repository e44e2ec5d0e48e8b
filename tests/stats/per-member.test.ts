import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drifting } from '../../src/stats/charts/drifting.js';
import { monthsPerMember } from '../../src/stats/charts/member-months.js';
import { produceCharts } from '../../src/stats/produce.js';
import { GUILD, H, statsDb, type StatsDb } from './db.js';

/** The admins' per-member views on hand-made stays (guild in Europe/Paris): exact hours. */
describe('per-member months and drifting', () => {
  let s: StatsDb;
  beforeEach(async () => {
    s = await statsDb();
    for (const [id, name] of Object.entries({ alice: 'Alice', bob: 'Bob', carol: 'Carol', dan: 'Dan', erin: 'Erin', frank: 'Frank' })) await s.member(id, name);
  });
  afterEach(() => s.close());

  it('hours per month per member: local months, a stay across a month end split, AFK left out, open stays to now, every month listed', async () => {
    await s.stay('squadA', 'alice', '2026-09-10T20:00', '2026-09-10T23:00');
    await s.stay('squadA', 'alice', '2026-10-31T23:00', '2026-11-01T01:00'); // 1 h in October, 1 h in November
    await s.stay('squadA', 'bob', '2026-11-05T20:00', '2026-11-05T22:00');
    await s.stay('afk', 'bob', '2026-11-05T22:00', '2026-11-06T02:00', true);
    await s.stay('squadB', 'carol', '2026-11-20T20:00', null); // still in voice: 1 h at 21:00
    await s.stay('squadB', 'dan', '2026-08-22T23:00', '2026-08-23T01:00'); // the 90-day window starts 23 Aug 00:00
    const ctx = await s.context('90d', '2026-11-20T21:00');
    const { months, byUser } = monthsPerMember(await ctx.playing(), ctx.scope.zone, ctx.scope.from, ctx.scope.now);
    expect(months).toEqual(['2026-08', '2026-09', '2026-10', '2026-11']);
    const perMember = Object.fromEntries([...byUser].map(([id, row]) => [id, [...row].map((ms) => ms / H)]));
    expect(perMember).toEqual({ alice: [0, 3, 1, 1], bob: [0, 0, 0, 2], carol: [0, 0, 0, 1], dan: [1, 0, 0, 0] });

    const [chart] = await produceCharts(s.db, [{ guildId: GUILD, chart: 'member-months', range: '90d', now: s.local('2026-11-20T21:00') }]);
    if (!chart?.ok) throw new Error(`no chart: ${JSON.stringify(chart)}`);
    expect(chart.title).toBe('Hours per month per member · last 90 days');
    expect(chart.summary).toBe('The 4 member(s) with the most voice time, hours per month; 2026-11: Bob leads with 2 h.');
    for (const name of ['Alice', 'Bob', 'Carol', 'Dan']) expect(chart.svg).toContain(`>${name}<`);
  });

  /**
   * 20 Mar 2026, range "all" from the first stay (26 Dec 2025, 21:00): the last 4 weeks start
   * 20 Feb 21:00, so the weeks before are exactly 8 (no DST change in Paris in between).
   */
  async function eightWeeksThenFour() {
    for (const day of ['2025-12-26', '2026-01-02', '2026-01-09', '2026-01-16', '2026-01-23', '2026-01-30', '2026-02-06', '2026-02-13']) {
      await s.stay('squadA', 'alice', `${day}T21:00`, `${day}T23:00`); // 16 h before: 2 h/week
    }
    await s.stay('squadA', 'alice', '2026-02-27T21:00', '2026-02-27T22:00');
    await s.stay('squadA', 'alice', '2026-03-06T21:00', '2026-03-06T22:00'); // 2 h lately: 0.5 h/week → −75 %
    await s.stay('squadA', 'bob', '2026-01-10T20:00', '2026-01-11T00:00'); // 0.5 h/week before…
    await s.stay('afk', 'bob', '2026-03-01T20:00', '2026-03-01T22:00', true); // …and only AFK lately: −100 %
    await s.stay('squadB', 'carol', '2026-01-05T18:00', '2026-01-06T02:00'); // 1 h/week before
    await s.stay('squadB', 'carol', '2026-03-10T18:00', '2026-03-11T02:00'); // 2 h/week lately: not drifting
    await s.stay('squadB', 'dan', '2026-01-07T20:00', '2026-01-07T22:00'); // 0.25 h/week: too little to call a trend
    await s.stay('squadB', 'erin', '2026-01-03T12:00', '2026-01-03T20:00');
    await s.stay('squadB', 'erin', '2026-01-04T12:00', '2026-01-04T20:00'); // 2 h/week before
    await s.stay('squadB', 'erin', '2026-03-14T12:00', '2026-03-14T16:00'); // 1 h/week lately: −50 %
    await s.stay('squadA', 'frank', '2026-01-20T12:00', '2026-01-20T19:00');
    await s.stay('squadA', 'frank', '2026-02-20T20:00', '2026-02-20T22:00'); // across the cut: 1 h each side → 1 → 0.25 h/week, −75 %
  }
  const NOW = '2026-03-20T21:00';

  it('drifting: the last 4 weeks against each member’s own weekly average before them, steepest fall first', async () => {
    await eightWeeksThenFour();
    const ctx = await s.context('all', NOW);
    const recentStart = s.local('2026-02-20T21:00');
    expect((recentStart - ctx.scope.from) / (7 * 24 * H)).toBe(8);
    const rows = drifting(await ctx.playing(), ctx.scope.from, recentStart, ctx.scope.now).map((d) => ({ who: d.userId, before: d.beforePerWeek / H, lately: d.recentPerWeek / H, fall: d.fall }));
    expect(rows).toEqual([
      { who: 'bob', before: 0.5, lately: 0, fall: 1 },
      { who: 'alice', before: 2, lately: 0.5, fall: 0.75 }, // −75 % like Frank, but 1.5 h/week lost against his 0.75
      { who: 'frank', before: 1, lately: 0.25, fall: 0.75 },
      { who: 'erin', before: 2, lately: 1, fall: 0.5 },
    ]);

    const [chart] = await produceCharts(s.db, [{ guildId: GUILD, chart: 'drifting', range: 'all', now: s.local(NOW) }]);
    if (!chart?.ok) throw new Error(`no chart: ${JSON.stringify(chart)}`);
    expect(chart.summary).toBe('4 member(s) played less in the last 4 weeks than their weekly average before; steepest: Bob, 0.5 → 0 h/week.');
    expect(chart.svg).toContain('2026-02-20 → 2026-03-20 against 2025-12-26 → 2026-02-20');
    for (const text of ['>Bob<', '>Alice<', '>Frank<', '>Erin<', '>−100 %<', '>−75 %<', '>−50 %<']) expect(chart.svg).toContain(text);
    expect(chart.svg).not.toContain('>Carol<');
    expect(chart.svg).not.toContain('>Dan<');
  });

  it('drifting: a range without 4 weeks before the last 4 says which range to pick', async () => {
    await eightWeeksThenFour();
    const [short] = await produceCharts(s.db, [{ guildId: GUILD, chart: 'drifting', range: '30d', now: s.local(NOW) }]);
    expect(short).toMatchObject({ ok: false, reason: 'Drifting compares the last 4 weeks with at least 4 weeks before them: pick a range of 90 days or more.' });
    const [young] = await produceCharts(s.db, [{ guildId: GUILD, chart: 'drifting', range: 'all', now: s.local('2026-02-10T21:00') }]);
    expect(young).toMatchObject({ ok: false, reason: expect.stringContaining('(voice history here starts 2025-12-26)') });
  });
});
