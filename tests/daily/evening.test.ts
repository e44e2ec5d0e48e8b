import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.js';
import { slotsFor } from '../../src/shared/time/slots.js';

/**
 * A whole evening as members live it, against the emulator: the clock reaches post time, the
 * message appears once with its reactions, members click, un-click, click a foreign emoji and
 * click yesterday's message; the channel shows the right text each time.
 */
describe('a whole evening with the daily message', () => {
  let w: World;
  let tonight: string;
  let alice: string, bob: string, carol: string, dan: string, erin: string;

  const messages = () => w.emu.messages(tonight).filter((m) => m.author.id === w.emu.applicationId);
  const daily = () => messages().at(-1)!;
  const line = (hour: number) =>
    daily()
      .content.split('\n')
      .find((l) =>
        l.includes(
          slotsFor(date, 'America/New_York', 20, 23)
            .find((s) => s.hour === hour)!
            .unix.toString(),
        ),
      )!;
  let date = '2026-11-23';

  beforeAll(async () => {
    // 06:00 in New York on Monday 23 November 2026.
    w = await startWorld({ now: '2026-11-23T11:00:00Z' });
    tonight = w.emu.fixture.channels.tonight;
    const m = w.emu.fixture.members;
    [alice, bob, carol, dan, erin] = [m.alice.id, m.bob.id, m.carol.id, m.dan.id, m.erin.id];
    const admin = async (sub: string, options: unknown[] = []) => {
      const r = await w.emu.runCommand(alice, 'config', [{ name: sub, options } as never]);
      return String((await r.final()).content);
    };
    expect(await admin('channel', [{ name: 'channel', value: tonight }])).toContain(`<#${tonight}>`);
    expect(
      await admin('hours', [
        { name: 'first', value: 20 },
        { name: 'last', value: 23 },
      ]),
    ).toContain('20:00 → 23:00');
  });
  afterAll(() => w.close());

  it('posts nothing before post time, then exactly one message with one reaction per slot', async () => {
    await w.tick();
    expect(messages()).toHaveLength(0);
    w.clock.set(Date.parse('2026-11-23T12:00:00Z')); // 07:00 New York
    await w.tick();
    await w.tick();
    expect(messages()).toHaveLength(1);
    const m = daily();
    expect(m.content.split('\n')[0]).toBe("**Who's playing tonight?** Monday 23 November");
    expect(m.reactions?.map((r) => r.emoji.name)).toEqual(['🕗', '🕘', '🕙', '🕚']);
    expect(m.reactions?.every((r) => r.me && r.count === 1)).toBe(true);
    // 20:00 EST is 01:00Z the next day.
    expect(m.content).toContain(`<t:${Date.parse('2026-11-24T01:00:00Z') / 1000}:t>`);
  });

  it('lists members as they click and drops them as they un-click', async () => {
    const id = daily().id;
    await w.emu.react(bob, tonight, id, '🕗');
    await w.emu.react(carol, tonight, id, '🕗');
    await w.emu.react(carol, tonight, id, '🕘');
    await eventually(async () => {
      await w.settle();
      expect(line(20)).toMatch(/\*\*2\*\*: Bob, Caz$/);
      expect(line(21)).toMatch(/\*\*1\*\*: Caz$/);
    });
    await w.emu.unreact(bob, tonight, id, '🕗');
    await eventually(async () => {
      await w.settle();
      expect(line(20)).toMatch(/\*\*1\*\*: Caz$/);
    });
    expect(line(22)).toMatch(/— ·$/);
  });

  it('removes a foreign emoji and tells the member once by DM (and only logs when DMs are closed)', async () => {
    const id = daily().id;
    await w.emu.react(dan, tonight, id, '👍');
    await w.emu.react(erin, tonight, id, '🎉');
    await eventually(async () => {
      await w.settle();
      const thumbs = daily().reactions?.find((r) => r.emoji.name === '👍');
      expect(thumbs).toBeUndefined();
      expect(daily().reactions?.find((r) => r.emoji.name === '🎉')).toBeUndefined();
    });
    const dmsToDan = () => w.emu.messages(w.emu.world.dmChannelByUser.get(dan)!);
    expect(dmsToDan()).toHaveLength(1);
    expect(dmsToDan()[0]!.content).toContain('Only the clock reactions count');
    expect(dmsToDan()[0]!.content).toContain(`/channels/${w.emu.fixture.guildId}/${tonight}/${id}`);
    // Erin's DMs are closed: Discord refuses (50007), the bot logs it and carries on.
    expect(w.emu.events.some((e) => e.kind === 'rest' && e.status === 403 && e.path.includes('/channels/'))).toBe(true);
    // A second foreign emoji the same day: removed again, but no second DM.
    await w.emu.react(dan, tonight, id, '👀');
    await eventually(async () => {
      await w.settle();
      expect(daily().reactions?.find((r) => r.emoji.name === '👀')).toBeUndefined();
    });
    expect(dmsToDan()).toHaveLength(1);
    expect(line(20)).toMatch(/\*\*1\*\*: Caz$/);
  });

  it("posts the next day's message once, and a click on yesterday's message is removed", async () => {
    const yesterday = daily().id;
    w.clock.set(Date.parse('2026-11-24T12:00:00Z'));
    date = '2026-11-24';
    await w.tick();
    expect(messages()).toHaveLength(2);
    expect(daily().content.split('\n')[0]).toBe("**Who's playing tonight?** Tuesday 24 November");
    await w.emu.react(dan, tonight, yesterday, '🕙');
    await eventually(async () => {
      await w.settle();
      expect(w.emu.message(tonight, yesterday)!.reactions?.find((r) => r.emoji.name === '🕙')?.count).toBe(1);
    });
    expect(daily().content).not.toContain('Dan');
    const limited = w.emu.events.filter((e) => e.kind === 'rest' && (e as { status?: number }).status === 429);
    expect(limited, JSON.stringify(limited)).toHaveLength(0);
  });
});
