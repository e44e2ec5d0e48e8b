import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../helpers/world.js';

const T0 = Date.parse('2026-11-24T21:00:00Z');
const H = 3_600_000;
const DAY = 24 * H;

/** `/stats community|duos min-hours:<n>` and `/stats inactive days:<n>`, through the emulator. */
describe('/stats options: min-hours and days', () => {
  let w: World;
  let m: Record<string, string>;
  const stats = async (userId: string, sub: string, options: { name: string; value: string | number }[] = []) =>
    (await (await w.emu.runCommand(userId, 'stats', [{ name: sub, options }])).final(30_000)).content;

  beforeAll(async () => {
    w = await startWorld({ now: T0 });
    m = Object.fromEntries(Object.entries(w.emu.fixture.members).map(([k, v]) => [k, v.id]));
    const c = w.emu.fixture.channels as Record<string, string>;
    const guildId = w.emu.fixture.guildId;
    const stay = (user: string, channel: string, from: number, to: number) => ({ guild_id: guildId, channel_id: channel, user_id: user, started_at: T0 - from, ended_at: T0 - to });
    await w.app.db
      .insertInto('voice_stays')
      .values([
        // Squad A last night: Alice + Bob 3 h; Carol with each of them for 2 h.
        stay(m.alice!, c.squadA!, 27 * H, 24 * H),
        stay(m.bob!, c.squadA!, 27 * H, 24 * H),
        stay(m.carol!, c.squadA!, 26 * H, 24 * H),
        // Squad B: Dan + Erin for 1 h.
        stay(m.dan!, c.squadB!, 26 * H, 25 * H),
        stay(m.erin!, c.squadB!, 26 * H, 25 * H),
        // Frank last played 10 days ago.
        stay(m.frank!, c.squadB!, 10 * DAY + 2 * H, 10 * DAY),
      ])
      .execute();
  }, 30_000);
  afterAll(() => w.close());

  it('registers min-hours on community and duos and days on inactive, as bounded integers', () => {
    const stats = w.emu.commands(w.emu.fixture.guildId).find((c) => c.name === 'stats') as { options: { name: string; options?: Record<string, unknown>[] }[] };
    const sub = (name: string) => stats.options.find((o) => o.name === name)!.options ?? [];
    for (const chart of ['community', 'duos']) expect(sub(chart).find((o) => o.name === 'min-hours')).toMatchObject({ type: 4, min_value: 1, max_value: 1000 });
    expect(sub('inactive')).toEqual([expect.objectContaining({ name: 'days', type: 4, min_value: 1, max_value: 365 })]);
    for (const chart of ['total', 'weekdays', 'months', 'timeline', 'reliability', 'best-window']) {
      expect(sub(chart).map((o) => o.name)).not.toContain('min-hours');
      expect(sub(chart).map((o) => o.name)).not.toContain('days');
    }
  });

  it('duos drops the pairs under min-hours', async () => {
    expect(await stats(m.alice!, 'duos', [{ name: 'range', value: '7d' }])).toMatch(/Closest duo: .* with 3 h together\. 4 pair\(s\) above 1 h\./);
    expect(
      await stats(m.alice!, 'duos', [
        { name: 'range', value: '7d' },
        { name: 'min-hours', value: 2 },
      ]),
    ).toMatch(/with 3 h together\. 3 pair\(s\) above 2 h\./);
    expect(
      await stats(m.alice!, 'duos', [
        { name: 'range', value: '7d' },
        { name: 'min-hours', value: 4 },
      ]),
    ).toContain('Nothing to draw yet: No two members have played together for 4 h or more');
  }, 60_000);

  it('the community graph drops them too', async () => {
    expect(await stats(m.alice!, 'community', [{ name: 'range', value: '7d' }])).toMatch(/5 members in \d group\(s\).*links = at least 1 h together/);
    expect(
      await stats(m.alice!, 'community', [
        { name: 'range', value: '7d' },
        { name: 'min-hours', value: 2 },
      ]),
    ).toMatch(/3 members in 1 group\(s\).*links = at least 2 h together/);
    expect(
      await stats(m.alice!, 'community', [
        { name: 'range', value: '7d' },
        { name: 'min-hours', value: 3 },
      ]),
    ).toContain('the graph needs at least 3 members with 3 h or more together');
  }, 60_000);

  it('inactive honours days', async () => {
    expect(await stats(m.alice!, 'inactive')).toContain('Everyone I know has been in voice in the last 14 days');
    const week = await stats(m.alice!, 'inactive', [{ name: 'days', value: 7 }]);
    expect(week).toContain('Inactive members: not in voice for 7+ days');
    expect(week).toMatch(/1 of \d+ member\(s\) inactive for 7\+ days/);
    expect(await stats(m.alice!, 'inactive', [{ name: 'days', value: 11 }])).toContain('in the last 11 days');
  }, 60_000);

  it('refuses values outside the limits (Discord enforces them; the bot refuses a request that carries one anyway)', async () => {
    // Outside the declared min_value/max_value: a malformed request, 400 before any handler
    // (tests/http/option-values.test.ts); the handler's own check stays behind it.
    for (const [sub, options] of [
      ['inactive', [{ name: 'days', value: 0 }]],
      ['duos', [{ name: 'min-hours', value: 5000 }]],
    ] as const) {
      const result = await w.emu.runCommand(m.alice!, 'stats', [{ name: sub, options: [...options] }]);
      expect(result.status).toBe(400);
      expect(JSON.stringify(result.response)).toMatch(/must be at (least 1|most 1000)/);
    }
  }, 30_000);
});
