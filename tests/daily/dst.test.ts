import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatedMessage } from '../../src/sandbox/index.js';
import { eventually, startWorld, type World } from '../helpers/world.js';

type Select = { custom_id: string };
const componentsOf = (m: EmulatedMessage) => (m.components ?? []).flatMap((row) => (row as { components: Select[] }).components);
const byKey = (m: EmulatedMessage, key: string) => componentsOf(m).find((c) => c.custom_id.startsWith(`${key}:`))!;
const unix = (iso: string) => Date.parse(iso) / 1000;

/**
 * The daily message on and around the DST changes, posted through the emulator and read as a member
 * reads it: every `<t:unix:t>` is the exact instant of that wall-clock hour in the guild zone, an hour
 * the clocks skip is no line and no reaction, the repeated hour of a fall-back night is one slot that
 * auto-add fills for both occurrences, and a 9 pm schedule stays at 9 pm local.
 *
 * America/New_York: clocks jump 2 → 3 am on Sunday 2026-03-08 and fall 2 → 1 am on Sunday 2026-11-01.
 * Europe/Paris: 2 → 3 am on Sunday 2026-03-29 and 3 → 2 am on Sunday 2026-10-25.
 * Each change is tested twice: inside the slot range of the evening before (hours 20 → 3 cross it), and
 * as the date of the message itself (posted at 07:00 that morning, after the change).
 */
describe('the daily message across DST changes', () => {
  let w: World;
  let tonight: string;
  let alice: string, bob: string, carol: string, dan: string;
  const daily = () =>
    w.emu
      .messages(tonight)
      .filter((m) => m.author.id === w.emu.applicationId && !m.ephemeral_for)
      .at(-1)!;
  const config = async (sub: string, options: unknown[] = []) => String((await (await w.emu.runCommand(alice, 'config', [{ name: sub, options } as never])).final()).content);
  const times = (content: string) => [...content.matchAll(/<t:(\d+):t>/g)].map((m) => Number(m[1]));
  const lineAt = (content: string, iso: string) => content.split('\n').find((l) => l.includes(`<t:${unix(iso)}:t>`));

  /** Moves the clock to `iso` (07:00 local on the message's date), lets the scheduler post, returns the message. */
  async function postAt(iso: string, date: string): Promise<EmulatedMessage> {
    w.clock.set(Date.parse(iso));
    await w.tick();
    const post = await w.app.posts.current(w.emu.fixture.guildId);
    expect(post?.date).toBe(date);
    return daily();
  }

  beforeAll(async () => {
    // Saturday 2026-03-07, 06:00 EST: before the post time.
    w = await startWorld({ now: '2026-03-07T11:00:00Z' });
    tonight = w.emu.fixture.channels.tonight;
    ({
      alice: { id: alice },
      bob: { id: bob },
      carol: { id: carol },
      dan: { id: dan },
    } = w.emu.fixture.members);
    await config('channel', [{ name: 'channel', value: tonight }]);
    expect(
      await config('hours', [
        { name: 'first', value: 20 },
        { name: 'last', value: 3 },
      ]),
    ).toContain('20:00 → 03:00');
    // Bob plays every evening at 9 pm.
    let menu = await (await w.emu.runCommand(bob, 'schedule', [{ name: 'set', options: [] } as never])).final();
    menu = await (await w.emu.selectMenu(bob, menu.id, byKey(menu, 'sched-days').custom_id, ['1', '2', '3', '4', '5', '6', '7'])).final();
    menu = await (await w.emu.selectMenu(bob, menu.id, byKey(menu, 'sched-hours').custom_id, ['21'])).final();
    expect((await (await w.emu.pressButton(bob, menu.id, byKey(menu, 'sched-save').custom_id)).final()).content).toContain('at **21:00**');
  });
  afterAll(() => w.close());

  it('New York, Saturday 2026-03-07: 1 am is EST, 2 am does not exist (no line, no 🕑), 3 am is EDT', async () => {
    const m = await postAt('2026-03-07T12:00:00Z', '2026-03-07');
    expect(m.content.split('\n')[0]).toBe("**Who's playing tonight?** Saturday 7 March");
    expect(times(m.content)).toEqual(['2026-03-08T01:00Z', '2026-03-08T02:00Z', '2026-03-08T03:00Z', '2026-03-08T04:00Z', '2026-03-08T05:00Z', '2026-03-08T06:00Z', '2026-03-08T07:00Z'].map(unix));
    expect(m.reactions?.map((r) => r.emoji.name)).toEqual(['🕗', '🕘', '🕙', '🕚', '🕛', '🕐', '🕒']);
    expect(lineAt(m.content, '2026-03-08T02:00Z')).toBe(`🕘 <t:${unix('2026-03-08T02:00Z')}:t> — **1**: Bob 📅`);
    expect(lineAt(m.content, '2026-03-08T07:00Z')).toMatch(/^🕒 /);

    // 🕑 is not a slot tonight: a click on it is taken off like any foreign emoji, and counts nowhere.
    await w.emu.react(dan, tonight, m.id, '🕑');
    await w.emu.react(dan, tonight, m.id, '🕒');
    await eventually(async () => {
      await w.settle();
      expect(daily().reactions?.find((r) => r.emoji.name === '🕑')).toBeUndefined();
      expect(lineAt(daily().content, '2026-03-08T07:00Z')).toBe(`🕒 <t:${unix('2026-03-08T07:00Z')}:t> — **1**: Dan`);
    });
    expect(times(daily().content)).toHaveLength(7);
  });

  it('New York, Sunday 2026-03-08 (the change day itself): the whole evening is EDT, 9 pm is 01:00Z', async () => {
    const m = await postAt('2026-03-08T11:00:00Z', '2026-03-08'); // 07:00 EDT
    expect(m.content.split('\n')[0]).toBe("**Who's playing tonight?** Sunday 8 March");
    expect(times(m.content)).toEqual(
      ['2026-03-09T00:00Z', '2026-03-09T01:00Z', '2026-03-09T02:00Z', '2026-03-09T03:00Z', '2026-03-09T04:00Z', '2026-03-09T05:00Z', '2026-03-09T06:00Z', '2026-03-09T07:00Z'].map(unix),
    );
    expect(m.reactions?.map((r) => r.emoji.name)).toEqual(['🕗', '🕘', '🕙', '🕚', '🕛', '🕐', '🕑', '🕒']);
    expect(lineAt(m.content, '2026-03-09T01:00Z')).toBe(`🕘 <t:${unix('2026-03-09T01:00Z')}:t> — **1**: Bob 📅`);
  });

  it('Paris, Saturday 2026-03-28: CET until 2 am, which is skipped, then CEST', async () => {
    expect(await config('timezone', [{ name: 'zone', value: 'Europe/Paris' }])).toContain('Europe/Paris');
    const m = await postAt('2026-03-28T06:00:00Z', '2026-03-28'); // 07:00 CET
    expect(times(m.content)).toEqual(['2026-03-28T19:00Z', '2026-03-28T20:00Z', '2026-03-28T21:00Z', '2026-03-28T22:00Z', '2026-03-28T23:00Z', '2026-03-29T00:00Z', '2026-03-29T01:00Z'].map(unix));
    expect(m.reactions?.map((r) => r.emoji.name)).toEqual(['🕗', '🕘', '🕙', '🕚', '🕛', '🕐', '🕒']);
    expect(lineAt(m.content, '2026-03-28T20:00Z')).toBe(`🕘 <t:${unix('2026-03-28T20:00Z')}:t> — **1**: Bob 📅`);
  });

  it('Paris, Sunday 2026-03-29 (the change day itself): the evening is CEST, 9 pm is 19:00Z', async () => {
    const m = await postAt('2026-03-29T05:00:00Z', '2026-03-29'); // 07:00 CEST
    expect(times(m.content)).toEqual(
      ['2026-03-29T18:00Z', '2026-03-29T19:00Z', '2026-03-29T20:00Z', '2026-03-29T21:00Z', '2026-03-29T22:00Z', '2026-03-29T23:00Z', '2026-03-30T00:00Z', '2026-03-30T01:00Z'].map(unix),
    );
    expect(lineAt(m.content, '2026-03-29T19:00Z')).toBe(`🕘 <t:${unix('2026-03-29T19:00Z')}:t> — **1**: Bob 📅`);
  });

  it('Paris, Saturday 2026-10-24: 2 am starts at its first (CEST) occurrence, 3 am is CET two hours later', async () => {
    const m = await postAt('2026-10-24T05:00:00Z', '2026-10-24'); // 07:00 CEST
    expect(times(m.content)).toEqual(
      ['2026-10-24T18:00Z', '2026-10-24T19:00Z', '2026-10-24T20:00Z', '2026-10-24T21:00Z', '2026-10-24T22:00Z', '2026-10-24T23:00Z', '2026-10-25T00:00Z', '2026-10-25T02:00Z'].map(unix),
    );
    expect(m.reactions?.map((r) => r.emoji.name)).toEqual(['🕗', '🕘', '🕙', '🕚', '🕛', '🕐', '🕑', '🕒']);
    expect(lineAt(m.content, '2026-10-24T19:00Z')).toBe(`🕘 <t:${unix('2026-10-24T19:00Z')}:t> — **1**: Bob 📅`);
  });

  it('Paris, Sunday 2026-10-25 (the change day itself): the evening is CET, 9 pm is 20:00Z', async () => {
    const m = await postAt('2026-10-25T06:00:00Z', '2026-10-25'); // 07:00 CET
    expect(times(m.content)).toEqual(
      ['2026-10-25T19:00Z', '2026-10-25T20:00Z', '2026-10-25T21:00Z', '2026-10-25T22:00Z', '2026-10-25T23:00Z', '2026-10-26T00:00Z', '2026-10-26T01:00Z', '2026-10-26T02:00Z'].map(unix),
    );
    expect(lineAt(m.content, '2026-10-25T20:00Z')).toBe(`🕘 <t:${unix('2026-10-25T20:00Z')}:t> — **1**: Bob 📅`);
  });

  it('New York, Saturday 2026-10-31: 1 am covers both 1 am hours, so someone in voice during the second one is added', async () => {
    expect(await config('timezone', [{ name: 'zone', value: 'America/New_York' }])).toContain('America/New_York');
    const m = await postAt('2026-10-31T11:00:00Z', '2026-10-31'); // 07:00 EDT
    expect(times(m.content)).toEqual(
      ['2026-11-01T00:00Z', '2026-11-01T01:00Z', '2026-11-01T02:00Z', '2026-11-01T03:00Z', '2026-11-01T04:00Z', '2026-11-01T05:00Z', '2026-11-01T07:00Z', '2026-11-01T08:00Z'].map(unix),
    );
    expect(m.reactions?.map((r) => r.emoji.name)).toEqual(['🕗', '🕘', '🕙', '🕚', '🕛', '🕐', '🕑', '🕒']);
    expect(lineAt(m.content, '2026-11-01T01:00Z')).toBe(`🕘 <t:${unix('2026-11-01T01:00Z')}:t> — **1**: Bob 📅`);

    // 01:30 EST, the second 1 am (06:30Z): Carol joins voice.
    w.clock.set(Date.parse('2026-11-01T06:30:00Z'));
    await w.emu.joinVoice(carol, w.emu.fixture.channels.squadA);
    await eventually(async () => {
      await w.settle();
      expect(lineAt(daily().content, '2026-11-01T05:00Z')).toBe(`🕐 <t:${unix('2026-11-01T05:00Z')}:t> — **1**: Caz 🎧`);
    });
    // Still in voice when 2 am EST comes: the hour boundary adds her to 2 am as well.
    w.clock.set(Date.parse('2026-11-01T07:00:30Z'));
    await w.tick();
    await eventually(async () => {
      await w.settle();
      expect(lineAt(daily().content, '2026-11-01T07:00Z')).toBe(`🕑 <t:${unix('2026-11-01T07:00Z')}:t> — **1**: Caz 🎧`);
    });
    await w.emu.leaveVoice(carol);
  });

  it('New York, Sunday 2026-11-01 (the change day itself): the evening is EST, 9 pm is 02:00Z', async () => {
    const m = await postAt('2026-11-01T12:00:00Z', '2026-11-01'); // 07:00 EST
    expect(times(m.content)).toEqual(
      ['2026-11-02T01:00Z', '2026-11-02T02:00Z', '2026-11-02T03:00Z', '2026-11-02T04:00Z', '2026-11-02T05:00Z', '2026-11-02T06:00Z', '2026-11-02T07:00Z', '2026-11-02T08:00Z'].map(unix),
    );
    expect(lineAt(m.content, '2026-11-02T02:00Z')).toBe(`🕘 <t:${unix('2026-11-02T02:00Z')}:t> — **1**: Bob 📅`);
  });
});
