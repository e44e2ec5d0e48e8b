import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotsFor } from '../../src/shared/time/slots.js';
import { botMessages, configureGuild, eventually, startWorld, type World } from '../helpers/world.js';
import { channelsOf, idsOf, privacy, type Who } from '../privacy/helpers.js';
import { expected, shrink, TODAY, w as weight, writeHistory } from './forecast-history.js';

const ZONE = 'America/New_York';

/**
 * "Likely N" on the daily message, through the emulator: the guild has a known history (Alice,
 * Bob, Carol, Erin, Dan as in `forecast-history.ts`); on Wednesday 18 November Alice, Bob, Dan
 * (new: no record) and Erin click 21:00, and the line says how many will likely be in voice. When
 * Erin turns voice tracking off, she is no longer forecast and her record leaves the guild's rate.
 */
describe('the daily message says how many will likely come', () => {
  let w: World;
  let m: Record<Who, string>;
  const daily = () => botMessages(w).at(-1)!;
  const line = (hour: number) =>
    daily()
      .content.split('\n')
      .find((l) => l.includes(`<t:${slotsFor(TODAY, ZONE, 20, 23).find((s) => s.hour === hour)!.unix}:t>`))!;

  beforeAll(async () => {
    w = await startWorld({ now: '2026-11-18T11:00:00Z' }); // 06:00 in New York, Wednesday
    m = idsOf(w);
    const c = channelsOf(w);
    await configureGuild(w, c.tonight);
    const guild = w.emu.fixture.guildId;
    const local = (text: string) => DateTime.fromISO(text, { zone: ZONE }).toMillis();
    await writeHistory({
      declare: async (who, date, hour, how) => {
        await w.app.db
          .insertInto('daily_posts')
          .values({ guild_id: guild, date, channel_id: c.tonight, nonce: `past-${date}`, state: 'reacted', timezone: ZONE, first_hour: 20, last_hour: 23, created_at: 0 })
          .onConflict((oc) => oc.doNothing())
          .execute();
        await w.app.db.insertInto('availability').values({ guild_id: guild, date, user_id: m[who], hour, declared: how, updated_at: 0 }).execute();
      },
      stay: async (who, channel, from, to, afk) => {
        await w.app.db
          .insertInto('voice_stays')
          .values({ guild_id: guild, channel_id: c[channel], user_id: m[who], started_at: local(from), ended_at: local(to), afk: afk ? 1 : 0 })
          .execute();
      },
    });
    w.clock.set(Date.parse('2026-11-18T12:00:00Z')); // 07:00: post time
    await w.tick();
    expect(botMessages(w)).toHaveLength(1);
  }, 60_000);
  afterAll(() => w.close());

  it('shows "likely N" next to who said they come: each one\'s chance, a newcomer at the guild rate', async () => {
    expect(line(21)).toMatch(/— ·$/); // nobody yet, no forecast
    for (const who of ['alice', 'bob', 'dan', 'erin'] as const) await w.emu.react(m[who], channelsOf(w).tonight, daily().id, '🕘');
    const e = expected(true);
    const likely = e.alice + e.bob + e.prior + e.erin; // Dan has no record: the guild's rate
    expect(likely).toBeCloseTo(2.6, 1);
    await eventually(async () => {
      await w.settle();
      expect(line(21)).toBe(`🕘 <t:${slotsFor(TODAY, ZONE, 20, 23)[1]!.unix}:t> — **4**: Al, Bob, Dan, Erin · likely ${Math.round(likely)}`);
    });
    expect(daily().content).toContain('likely N: how many will be in voice');
  });

  it('leaves a member with voice tracking off out of the forecast', async () => {
    const off = await privacy(w, m.erin, 'tracking', [{ name: 'voice', value: 'off' }]);
    expect(off.content).toContain('Voice tracking is **off**');
    await w.emu.react(m.carol, channelsOf(w).tonight, daily().id, '🕙'); // any change re-renders the message
    const e = expected(false);
    // Erin's record is gone from the guild rate, and she adds nothing herself.
    const likely = e.alice + shrink(2 * weight(1), 4 * weight(1), e.prior) + e.prior;
    expect(likely).toBeCloseTo(2.36, 2);
    await eventually(async () => {
      await w.settle();
      expect(line(21)).toMatch(new RegExp(`— \\*\\*4\\*\\*: Al, Bob, Dan, Erin · likely ${Math.round(likely)}$`));
      expect(line(22)).toMatch(/— \*\*1\*\*: Caz · likely 1$/);
    });
  });
});
