import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { groupSlots, membersPerSlot, timePerSlot } from '../../src/stats/buckets.js';
import { coPresence, type PairTime } from '../../src/shared/algorithms/copresence.js';
import { weekGrid } from '../../src/stats/charts/best-window.js';
import { inactiveMembers } from '../../src/stats/charts/inactive.js';
import { totalsOf } from '../../src/stats/charts/total.js';
import { weekPieces } from '../../src/stats/charts/timeline.js';
import { declaredDays, lastSeen, loadStays, voiceTotals, type Stay } from '../../src/stats/queries.js';
import { saidVsShowed } from '../../src/stats/reliability.js';
import { SlotTable } from '../../src/stats/slots.js';
import { localSlotBounds } from '../../src/shared/time/slots.js';
import { produceCharts } from '../../src/stats/produce.js';
import { GUILD, H, statsDb, type StatsDb } from './db.js';

const pairMap = (pairs: PairTime[]) => Object.fromEntries(pairs.map((p) => [[p.a, p.b].sort().join('|'), p.ms / H]));

describe('stats aggregations on hand-made stays (guild in Europe/Paris)', () => {
  let s: StatsDb;
  beforeEach(async () => {
    s = await statsDb();
  });
  afterEach(() => s.close());

  /** Tuesday 10 Nov 2026: two channels, an AFK pair, a member still in voice. */
  async function evening() {
    await s.stay('squadA', 'alice', '2026-11-10T20:00', '2026-11-10T22:00');
    await s.stay('squadA', 'bob', '2026-11-10T21:00', '2026-11-10T23:00');
    await s.stay('squadA', 'carol', '2026-11-10T21:30', '2026-11-10T21:45');
    await s.stay('squadA', 'alice', '2026-11-10T22:30', '2026-11-10T23:30');
    await s.stay('squadB', 'dan', '2026-11-10T20:00', '2026-11-10T21:00');
    await s.stay('squadB', 'erin', '2026-11-10T20:30', '2026-11-10T22:00');
    await s.stay('squadB', 'frank', '2026-11-10T21:30', null); // still in voice at "now"
    await s.stay('afk', 'bob', '2026-11-10T23:00', '2026-11-11T00:00', true);
    await s.stay('afk', 'carol', '2026-11-10T23:00', '2026-11-11T00:00', true);
  }
  const NOW = '2026-11-11T00:30';

  it('co-presence counts only time in the same channel, never AFK, open stays up to now', async () => {
    await evening();
    const ctx = await s.context('7d', NOW);
    expect(pairMap(await ctx.pairs())).toEqual({
      'alice|bob': 1.5, // 21:00–22:00 and 22:30–23:00
      'alice|carol': 0.25,
      'bob|carol': 0.25, // their AFK hour together does not count
      'dan|erin': 0.5,
      'erin|frank': 0.5, // frank is still in voice; erin left at 22:00
    });
  });

  it('the sweep agrees with a pairwise count on random stays', () => {
    let seed = 3;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const stays: Stay[] = [];
    for (let i = 0; i < 400; i++) {
      const start = Math.floor(random() * 48) * 15 * 60_000;
      stays.push({
        channelId: `c${Math.floor(random() * 3)}`,
        userId: `u${Math.floor(random() * 12)}`,
        start,
        end: start + (1 + Math.floor(random() * 16)) * 15 * 60_000,
        afk: random() < 0.1 ? 1 : 0,
      });
    }
    const brute: Record<string, number> = {};
    for (let i = 0; i < stays.length; i++) {
      for (let j = i + 1; j < stays.length; j++) {
        const a = stays[i]!;
        const b = stays[j]!;
        if (a.afk || b.afk || a.channelId !== b.channelId || a.userId === b.userId) continue;
        const ms = Math.min(a.end, b.end) - Math.max(a.start, b.start);
        if (ms > 0) brute[[a.userId, b.userId].sort().join('|')] = (brute[[a.userId, b.userId].sort().join('|')] ?? 0) + ms / H;
      }
    }
    const swept = pairMap(coPresence(stays));
    expect(Object.keys(swept).sort()).toEqual(Object.keys(brute).sort());
    for (const [k, v] of Object.entries(brute)) expect(swept[k]).toBeCloseTo(v, 9);
  });

  it('total voice time is summed in SQL: AFK excluded, clipped to the window, open stays to now', async () => {
    await evening();
    await s.stay('squadA', 'gina', '2026-11-04T23:00', '2026-11-05T01:00'); // window starts 5 Nov 00:00
    const ctx = await s.context('7d', NOW);
    const sql = await voiceTotals(ctx.db, ctx.scope);
    const totals = Object.fromEntries(sql.map((t) => [t.userId, t.ms / H]));
    expect(totals).toEqual({ alice: 3, bob: 2, carol: 0.25, dan: 1, erin: 1.5, frank: 3, gina: 1 });
    // The in-memory sum used when the stays are already loaded gives the same answer, in the same order.
    expect(totalsOf(await ctx.playing())).toEqual(sql);
    // The packed read (one row per member and channel) gives exactly the clipped stays a plain query gives, AFK included.
    const byStart = (a: Stay, b: Stay) => a.start - b.start || a.userId.localeCompare(b.userId) || a.channelId.localeCompare(b.channelId);
    const { from, to, now } = ctx.scope;
    const plain: Stay[] = (
      await s.db
        .selectFrom('voice_stays')
        .select(['channel_id', 'user_id', 'started_at', 'ended_at', 'afk'])
        .where('guild_id', '=', GUILD)
        .where('started_at', '<', to)
        .where((eb) => eb(eb.fn.coalesce('ended_at', eb.val(now)), '>', from))
        .execute()
    ).map((r) => ({ channelId: r.channel_id, userId: r.user_id, start: Math.max(r.started_at, from), end: Math.min(r.ended_at ?? now, to), afk: r.afk }));
    expect(plain.length).toBeGreaterThan(8);
    expect((await loadStays(ctx.db, ctx.scope)).sort(byStart)).toEqual(plain.sort(byStart));
    expect((await ctx.playing()).sort(byStart)).toEqual(plain.filter((p) => p.afk === 0).sort(byStart));
  });

  it('leaves out excluded members and bots everywhere, through the scope', async () => {
    await evening();
    await s.member('frank', 'Frankie', true); // a bot in the member cache
    const ctx = await s.context('7d', NOW, { excludedUserIds: ['bob'] });
    const totals = (await voiceTotals(ctx.db, ctx.scope)).map((t) => t.userId).sort();
    expect(totals).toEqual(['alice', 'carol', 'dan', 'erin']);
    expect(Object.keys(pairMap(await ctx.pairs())).sort()).toEqual(['alice|carol', 'dan|erin']);
    expect((await lastSeen(ctx.db, ctx.scope)).members.map((m) => m.userId)).not.toContain('bob');
  });

  it('splits a stay across midnight and a month end by local day and month', async () => {
    await s.stay('squadA', 'alice', '2026-10-31T23:00', '2026-11-01T01:30'); // Saturday → Sunday
    const ctx = await s.context('30d', '2026-11-02T12:00');
    const table = await ctx.slots();
    const perSlot = timePerSlot(await ctx.playing(), table);
    const byWeekday = groupSlots(perSlot, (i) => table.weekdays[i]!);
    expect(byWeekday.get(6)! / H).toBe(1);
    expect(byWeekday.get(7)! / H).toBe(1.5);
    const byMonth = groupSlots(perSlot, (i) => table.months[i]!);
    expect([byMonth.get('2026-10')! / H, byMonth.get('2026-11')! / H]).toEqual([1, 1.5]);
  });

  it('splits a stay across the autumn DST change by local hour: the doubled 02:00 gets two hours', async () => {
    // 25 Oct 2026: 03:00 CEST → 02:00 CET. 01:30 CEST → 03:30 CET is three real hours.
    await s.stay('squadA', 'alice', '2026-10-25T01:30', '2026-10-25T03:30');
    const ctx = await s.context('30d', '2026-10-26T12:00');
    const table = await ctx.slots();
    expect(table.dates.filter((d) => d === '2026-10-25')).toHaveLength(25);
    const perSlot = timePerSlot(await ctx.playing(), table);
    const byHour = groupSlots(perSlot, (i) => (table.dates[i] === '2026-10-25' ? table.hours[i]! : -1));
    expect([1, 2, 3].map((h) => byHour.get(h)! / H)).toEqual([0.5, 2, 0.5]);
    expect(groupSlots(perSlot, (i) => table.weekdays[i]!).get(7)! / H).toBe(3);
  });

  it('splits a stay across the spring DST change: the skipped 02:00 gets nothing', async () => {
    // 29 Mar 2026: 02:00 CET → 03:00 CEST. 01:30 → 03:30 local is one real hour.
    await s.stay('squadA', 'alice', '2026-03-29T01:30', '2026-03-29T03:30');
    const ctx = await s.context('30d', '2026-03-30T12:00');
    const table = await ctx.slots();
    expect(table.dates.filter((d) => d === '2026-03-29')).toHaveLength(23);
    const perSlot = timePerSlot(await ctx.playing(), table);
    const byHour = groupSlots(perSlot, (i) => (table.dates[i] === '2026-03-29' ? table.hours[i]! : -1));
    expect([byHour.get(1)! / H, byHour.get(2), byHour.get(3)! / H]).toEqual([0.5, undefined, 0.5]);
  });

  it('slot bounds follow the local clock through both DST changes', () => {
    const fall = localSlotBounds('2026-10-25', 2, 'Europe/Paris');
    expect((fall.end - fall.start) / H).toBe(2);
    const spring = localSlotBounds('2026-03-29', 2, 'Europe/Paris');
    expect(spring.end - spring.start).toBe(0);
    const table = new SlotTable('Europe/Paris', Date.parse('2026-10-24T22:00:00Z'), Date.parse('2026-10-26T00:00:00Z'));
    expect(table.hourBounds('2026-10-25', 2)).toEqual(fall);
    expect(table.hourBounds('2026-10-25', 23)).toEqual(localSlotBounds('2026-10-25', 23, 'Europe/Paris'));
  });

  it('said vs showed: declared slots (reactions and schedules) against time in voice in them', async () => {
    await evening();
    for (const h of [20, 21, 22]) await s.declare('alice', '2026-11-10', h, 'reaction');
    await s.declare('alice', '2026-11-10', 23, 'schedule');
    await s.declare('alice', '2026-11-10', 19, 'out'); // said no: not a promise
    await s.declare('alice', '2026-11-11', 20, 'reaction'); // still in the future
    await s.declare('dan', '2026-11-10', 22, 'reaction'); // said yes, never came
    const ctx = await s.context('7d', NOW);
    const declared = await declaredDays(ctx.db, ctx.scope, '2026-11-05', '2026-11-11');
    const result = saidVsShowed(declared, await ctx.playing(), await ctx.slots(), ctx.scope.from, ctx.scope.now, (u) => u);
    expect(result.get('alice')).toEqual({ declaredMs: 4 * H, showedMs: 3 * H, slots: 4 });
    expect(result.get('dan')).toEqual({ declaredMs: H, showedMs: 0, slots: 1 });
  });

  it('said vs showed across the autumn DST change: the doubled hour is a two-hour slot', async () => {
    await s.stay('squadA', 'alice', '2026-10-25T01:30', '2026-10-25T03:30');
    await s.declare('alice', '2026-10-24', 2); // 🕑 on Saturday's message: the doubled 02:00 of Sunday 25 Oct
    const ctx = await s.context('30d', '2026-10-26T12:00');
    const declared = await declaredDays(ctx.db, ctx.scope, '2026-10-01', '2026-10-26');
    const result = saidVsShowed(declared, await ctx.playing(), await ctx.slots(), ctx.scope.from, ctx.scope.now, (u) => u);
    expect(result.get('alice')).toEqual({ declaredMs: 2 * H, showedMs: 2 * H, slots: 1 });
  });

  it("said vs showed and best window: a message's after-midnight hours are on the next day", async () => {
    // 🕐 on the message of Tuesday 10 Nov (20:00 → 02:00): 1 am on Wednesday 11 Nov, when she came.
    await s.declare('alice', '2026-11-10', 1);
    await s.stay('squadA', 'alice', '2026-11-11T01:00', '2026-11-11T02:00');
    const ctx = await s.context('7d', '2026-11-12T12:00');
    const declared = await declaredDays(ctx.db, ctx.scope, ctx.dates.from, ctx.dates.to);
    expect(declared).toEqual([{ userId: 'alice', date: '2026-11-11', hours: 1 << 1 }]);
    const result = saidVsShowed(declared, await ctx.playing(), await ctx.slots(), ctx.scope.from, ctx.scope.now, (u) => u);
    expect(result.get('alice')).toEqual({ declaredMs: H, showedMs: H, slots: 1 });
    const table = await ctx.slots();
    const grid = weekGrid(table, membersPerSlot(await ctx.playing(), table), declared);
    const wednesday1 = (3 - 1) * 24 + 1;
    expect([grid.available[wednesday1], grid.present[wednesday1]]).toEqual([1, 1]);
    expect(grid.available[(2 - 1) * 24 + 1]).toBe(0); // not Tuesday 01:00
    // What the admin reads under the charts.
    await s.member('alice', 'Alice');
    const [reliability, best] = await produceCharts(
      s.db,
      (['reliability', 'best-window'] as const).map((chart) => ({ guildId: GUILD, chart, range: '7d' as const, now: s.local('2026-11-12T12:00') })),
    );
    expect(reliability!.ok && reliability!.summary).toBe('Everyone: 1 h declared, 1 h shown in voice — 100% reliability.');
    expect(best!.ok && best!.summary).toBe('Most members in voice: Wed 01:00 (1 on average). Most declared: Wed 01:00 (1).');
  });

  it("a member's own said vs showed groups by weekday on the member's clock", async () => {
    // Wednesday 01:00 in Paris (🕐 on Tuesday's message) is Tuesday 19:00 for a member in New York.
    await s.member('alice', 'Alice');
    await s.db.insertInto('member_timezones').values({ guild_id: GUILD, user_id: 'alice', timezone: 'America/New_York', updated_at: 0 }).execute();
    await s.declare('alice', '2026-11-10', 1);
    await s.stay('squadA', 'alice', '2026-11-11T01:00', '2026-11-11T02:00');
    const [mine] = await produceCharts(s.db, [{ guildId: GUILD, chart: 'reliability', range: '7d', memberId: 'alice', now: s.local('2026-11-12T12:00') }]);
    if (!mine?.ok) throw new Error('no chart');
    expect(mine.svg).toContain('>Tue · 100%<');
    expect(mine.svg).not.toContain('Wed ·');
    expect(mine.svg).toContain('times in America/New_York');
  });

  it('a message that does not cross midnight keeps its hours on its own date', async () => {
    await s.db
      .insertInto('daily_posts')
      .values({ guild_id: GUILD, date: '2026-11-10', channel_id: '1', nonce: 'n', state: 'posted', timezone: s.zone, first_hour: 0, last_hour: 5, created_at: 0 })
      .execute();
    await s.db.insertInto('availability').values({ guild_id: GUILD, date: '2026-11-10', user_id: 'alice', hour: 1, declared: 'reaction', updated_at: 0 }).execute();
    const ctx = await s.context('7d', '2026-11-12T12:00');
    expect(await declaredDays(ctx.db, ctx.scope, ctx.dates.from, ctx.dates.to)).toEqual([{ userId: 'alice', date: '2026-11-10', hours: 1 << 1 }]);
  });

  it('inactive: members not in voice (outside AFK) for N days, and members on daily messages never seen', async () => {
    await s.member('alice', 'Alice');
    await s.member('bob', 'Bob');
    await s.member('zoe', 'Zoé');
    await s.member('erin', 'Erin'); // only a cached name (say, erased, then ran a command): no signal
    await s.stay('squadA', 'alice', '2026-11-01T20:00', '2026-11-01T21:00');
    await s.stay('squadA', 'bob', '2026-10-01T20:00', '2026-10-01T21:00');
    await s.stay('afk', 'bob', '2026-11-09T20:00', '2026-11-09T21:00', true); // AFK is not being around
    await s.stay('afk', 'yan', '2026-11-09T20:00', '2026-11-09T21:00', true); // only ever AFK: never seen playing
    await s.declare('zoe', '2026-10-20', 21); // said she would come, never joined voice
    const ctx = await s.context('30d', '2026-11-10T21:00');
    const { members, trackedSince } = await lastSeen(ctx.db, ctx.scope);
    const inactive = inactiveMembers(members, trackedSince, ctx.scope.now, 14);
    expect(inactive).toEqual([
      { userId: 'bob', days: 40, never: false },
      { userId: 'yan', days: 40, never: true },
      { userId: 'zoe', days: 40, never: true }, // tracked for 40 days, never seen
    ]);
    expect(members.map((m) => m.userId)).not.toContain('erin');
    expect(inactiveMembers(members, trackedSince, ctx.scope.now, 5).map((m) => m.userId)).toContain('alice');
  });

  it("timeline: a member's stays cut at their own local midnight", () => {
    const zone = 'America/New_York';
    const at = (iso: string) => Date.parse(iso);
    // 23:00 → 01:30 New York time on 9–10 Nov (UTC−5).
    const stays: Stay[] = [{ channelId: 'squadA', userId: 'alice', start: at('2026-11-10T04:00:00Z'), end: at('2026-11-10T06:30:00Z'), afk: 0 }];
    const { days, pieces } = weekPieces(stays, zone, at('2026-11-12T12:00:00Z'));
    expect(days.map((d) => d.date)).toEqual(['2026-11-06', '2026-11-07', '2026-11-08', '2026-11-09', '2026-11-10', '2026-11-11', '2026-11-12']);
    expect(pieces.map((p) => [p.date, p.from, p.to])).toEqual([
      ['2026-11-09', 23, 24],
      ['2026-11-10', 0, 1.5],
    ]);
  });

  it('timeline: a stay across the autumn DST change sits on the local clock of its day', () => {
    const zone = 'Europe/Paris';
    // 01:30 CEST → 03:30 CET on 25 Oct 2026: three real hours, drawn from 01:30 to 03:30 on the clock.
    const stays: Stay[] = [{ channelId: 'squadA', userId: 'alice', start: Date.parse('2026-10-24T23:30:00Z'), end: Date.parse('2026-10-25T02:30:00Z'), afk: 0 }];
    const { days, pieces } = weekPieces(stays, zone, Date.parse('2026-10-26T12:00:00Z'));
    const sunday = days.find((d) => d.date === '2026-10-25')!;
    expect((sunday.end - sunday.start) / H).toBe(25);
    expect(pieces.map((p) => [p.date, p.from, p.to])).toEqual([['2026-10-25', 1.5, 3.5]]);
  });

  it('timeline: a range longer than a week overlays the weeks on weekday rows', async () => {
    await s.member('alice', 'Alice');
    // Two Tuesdays and a Friday in the last 30 days; only the last Tuesday in the last 7.
    await s.stay('squadA', 'alice', '2026-10-27T20:00', '2026-10-27T22:00');
    await s.stay('squadA', 'alice', '2026-10-30T21:00', '2026-10-30T22:00');
    await s.stay('squadA', 'alice', '2026-11-10T20:00', '2026-11-10T23:00');
    const chart = (range: '7d' | '30d') => produceCharts(s.db, [{ guildId: GUILD, chart: 'timeline', range, memberId: 'alice', now: s.local('2026-11-11T12:00') }]).then(([r]) => r!);
    const week = await chart('7d');
    const month = await chart('30d');
    if (!week.ok || !month.ok) throw new Error('no chart');
    expect(week.summary).toBe('Alice: 3 h in voice over the last 7 days (AFK excluded).');
    expect(week.svg).toContain('>Tue 10 Nov<');
    expect(week.svg).not.toContain('weeks overlaid');
    expect(month.title).toBe("Alice's weeks in voice");
    expect(month.summary).toBe('Alice: 6 h in voice over the last 30 days (AFK excluded).');
    expect(month.svg).toContain('4 weeks overlaid: darker = more often');
    for (const day of ['Mon', 'Tue', 'Fri', 'Sun']) expect(month.svg).toContain(`>${day}<`);
    expect(month.svg).not.toContain('10 Nov<');
  });

  it('best window: members per weekday × hour, averaged over the weeks in the range', async () => {
    // Two Tuesdays: 3 members at 21:00 on the first, 1 on the second → 2 on average.
    for (const who of ['alice', 'bob', 'carol']) await s.stay('squadA', who, '2026-11-03T21:00', '2026-11-03T22:00');
    await s.stay('squadA', 'alice', '2026-11-10T21:00', '2026-11-10T21:10'); // under 15 min: not counted
    await s.stay('squadA', 'dan', '2026-11-10T21:00', '2026-11-10T22:00');
    await s.declare('alice', '2026-11-10', 21);
    await s.declare('bob', '2026-11-10', 21);
    const ctx = await s.context('all', '2026-11-16T23:59');
    const table = await ctx.slots();
    const present = membersPerSlot(await ctx.playing(), table);
    const grid = weekGrid(table, present, await ctx.declared());
    const tuesday21 = (2 - 1) * 24 + 21;
    expect(grid.present[tuesday21]).toBe(2);
    expect(grid.available[tuesday21]).toBe(1);
  });
});
