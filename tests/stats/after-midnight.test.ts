import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.js';

/**
 * A daily message that runs past midnight (20:00 → 02:00, New York): Bob clicks 🕐 on Tuesday
 * 10 November's message, which means 1 am on Wednesday 11 November, and comes exactly then. The
 * charts must read that hour on Wednesday, not on the Tuesday morning before the message existed.
 */
describe("/stats: a message's after-midnight hours are on the next day", () => {
  let w: World;
  let m: Record<string, string>;

  beforeAll(async () => {
    w = await startWorld({ now: '2026-11-10T12:00:00Z' }); // 07:00 New York, Tuesday
    m = Object.fromEntries(Object.entries(w.emu.fixture.members).map(([k, v]) => [k, v.id]));
    const c = w.emu.fixture.channels as Record<string, string>;
    const config = async (sub: string, options: { name: string; value: string | number }[]) =>
      (await (await w.emu.runCommand(m.alice!, 'config', [{ name: sub, options } as never])).final(20_000)).content;
    await config('channel', [{ name: 'channel', value: c.tonight! }]);
    await config('hours', [
      { name: 'first', value: 20 },
      { name: 'last', value: 2 },
    ]);
    await w.tick();
    const daily = w.emu
      .messages(c.tonight!)
      .filter((x) => x.author.id === w.emu.applicationId)
      .at(-1)!;
    await w.emu.react(m.bob!, c.tonight!, daily.id, '🕐');
    w.clock.set(Date.parse('2026-11-11T06:00:00Z')); // 01:00 New York, Wednesday
    await w.emu.joinVoice(m.bob!, c.squadA!);
    await eventually(async () => {
      await w.settle();
      expect(await w.app.voice.openStays(w.emu.fixture.guildId)).toHaveLength(1);
    });
    w.clock.set(Date.parse('2026-11-11T07:00:00Z')); // 02:00
    await w.emu.leaveVoice(m.bob!);
    await eventually(async () => {
      await w.settle();
      expect(await w.app.voice.openStays(w.emu.fixture.guildId)).toHaveLength(0);
    });
    // Stored as the bot stores it: under the message's date, hour 1.
    expect(await w.app.db.selectFrom('availability').select(['date', 'hour', 'declared']).where('user_id', '=', m.bob!).execute()).toEqual([{ date: '2026-11-10', hour: 1, declared: 'reaction' }]);
    w.clock.set(Date.parse('2026-11-11T17:00:00Z'));
  }, 60_000);
  afterAll(() => w.close());

  it('said vs showed counts the hour he came as shown', async () => {
    const message = await (
      await w.emu.runCommand(m.bob!, 'stats', [
        {
          name: 'me',
          options: [
            { name: 'view', value: 'reliability' },
            { name: 'range', value: '7d' },
          ],
        },
      ])
    ).final(30_000);
    expect(message.content).toContain('Bob: 1 h declared, 1 h shown in voice — 100% reliability.');
    expect(message.files).toHaveLength(1);
  }, 40_000);

  it('best window puts it on Wednesday at 01:00', async () => {
    const message = await (await w.emu.runCommand(m.alice!, 'stats', [{ name: 'best-window', options: [{ name: 'range', value: '7d' }] }])).final(30_000);
    expect(message.content).toContain('Most members in voice: Wed 01:00 (1 on average). Most declared: Wed 01:00 (1).');
  }, 40_000);
});
