import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatedMessage } from '../../src/sandbox/index.js';
import { startWorld, type World } from '../helpers/world.js';

type Select = { custom_id: string; options?: { value: string }[] };
const hoursMenu = (m: EmulatedMessage) => (m.components ?? []).flatMap((row) => (row as { components: Select[] }).components).find((c) => c.custom_id.startsWith('sched-hours:'))!;

/**
 * A schedule is for every week: on the night the clocks skip 2 am, the menu still offers 2 am (the
 * message that night has no 2 am line, the weeks after do).
 */
describe('/schedule set on a spring-forward night', () => {
  let w: World;
  beforeAll(async () => {
    // Saturday 7 March 2026, 09:00 in New York; 2 am Sunday does not exist.
    w = await startWorld({ now: '2026-03-07T14:00:00Z' });
    const { alice } = w.emu.fixture.members;
    await (await w.emu.runCommand(alice.id, 'config', [{ name: 'channel', options: [{ name: 'channel', value: w.emu.fixture.channels.tonight }] } as never])).final();
    await (
      await w.emu.runCommand(alice.id, 'config', [
        {
          name: 'hours',
          options: [
            { name: 'first', value: 22 },
            { name: 'last', value: 3 },
          ],
        } as never,
      ])
    ).final();
  });
  afterAll(() => w.close());

  it('offers every configured hour, 2 am included, and saves it', async () => {
    const bob = w.emu.fixture.members.bob.id;
    let msg = await (await w.emu.runCommand(bob, 'schedule', [{ name: 'set', options: [] } as never])).final();
    expect(hoursMenu(msg).options!.map((o) => o.value)).toEqual(['22', '23', '0', '1', '2', '3']);
    const days = (msg.components ?? []).flatMap((row) => (row as { components: Select[] }).components).find((c) => c.custom_id.startsWith('sched-days:'))!;
    msg = await (await w.emu.selectMenu(bob, msg.id, days.custom_id, ['6'])).final();
    msg = await (await w.emu.selectMenu(bob, msg.id, hoursMenu(msg).custom_id, ['2'])).final();
    const save = (msg.components ?? []).flatMap((row) => (row as { components: Select[] }).components).find((c) => c.custom_id.startsWith('sched-save:'))!;
    const saved = await (await w.emu.pressButton(bob, msg.id, save.custom_id)).final();
    expect(saved.content).toContain('every **Saturday** at **02:00**');
  });
});
