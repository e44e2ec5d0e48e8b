import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatedMessage } from '../../src/sandbox/index.js';
import { NOT_TONIGHT_BUTTON } from '../../src/shared/services/daily-post.js';
import { MODES, botMessages, eventually, startConfiguredWorld, type World } from '../helpers/world.js';

const MONDAY = '2026-11-23T12:00:00Z'; // 07:00 in New York; slots 20 → 23
const TUESDAY = '2026-11-24T12:00:00Z';

type Control = { custom_id: string; options?: { value: string; default?: boolean }[] };
const controls = (m: EmulatedMessage) => (m.components ?? []).flatMap((row) => (row as { components: Control[] }).components);
const byKey = (m: EmulatedMessage, key: string) => controls(m).find((c) => c.custom_id.startsWith(`${key}:`))!;
const today = (w: World) =>
  botMessages(w)
    .filter((m) => !m.ephemeral_for)
    .at(-1)!;
const run = async (w: World, user: string, name: string, options: unknown[]) => (await w.emu.runCommand(user, name, options as never)).final();

describe.each(MODES)('"Not tonight" on the daily message (interactions over %s)', (mode) => {
  let w: World;
  afterEach(() => w?.close());

  it('takes a scheduled member who also clicked off today only: the text, their reaction, the private answer; tomorrow the schedule counts again', async () => {
    w = await startConfiguredWorld(MONDAY, mode);
    const { bob, carol } = w.emu.fixture.members;
    const tonight = w.emu.fixture.channels.tonight;
    await w.app.schedules.set(w.emu.fixture.guildId, bob.id, { weekdays: [1, 2, 3, 4, 5, 6, 7], hours: [20, 21] });
    await w.tick();
    const message = today(w);
    expect(controls(message).map((c) => c.custom_id)).toEqual([NOT_TONIGHT_BUTTON.customId]);
    expect(message.content).toContain('**Not tonight** takes you off today only');
    await w.emu.react(bob.id, tonight, message.id, '🕙');
    await w.emu.react(carol.id, tonight, message.id, '🕙');
    await eventually(async () => {
      await w.settle();
      expect(today(w).content).toMatch(/🕙 <t:\d+:t> — \*\*2\*\*/);
    });

    const answer = await (await w.emu.pressButton(bob.id, message.id, NOT_TONIGHT_BUTTON.customId)).final();
    expect(answer.ephemeral_for).toBe(bob.id);
    expect(answer.content).toMatch(/^👋 You're off tonight's list \(🕗 <t:\d+:t>, 🕘 <t:\d+:t>, 🕙 <t:\d+:t>\)/);
    await eventually(async () => {
      await w.settle();
      expect(today(w).content).not.toContain('Bob');
    });
    expect(today(w).content).toContain('Caz');
    expect(w.emu.message(tonight, message.id)!.reactions?.find((r) => r.emoji.name === '🕙')?.count).toBe(2); // Caz and the bot
    expect(controls(today(w))).toHaveLength(1); // edits keep the button

    const again = await (await w.emu.pressButton(bob.id, message.id, NOT_TONIGHT_BUTTON.customId)).final();
    expect(again.content).toContain('nothing to take off');

    w.clock.set(Date.parse(TUESDAY));
    await w.tick();
    expect(today(w).id).not.toBe(message.id);
    expect(today(w).content).toContain('Bob 📅');
    const old = await (await w.emu.pressButton(carol.id, message.id, NOT_TONIGHT_BUTTON.customId)).final();
    expect(old.content).toContain("This message is from an earlier day. Today's is here: https://discord.com/channels/");
  });
});

describe.each(MODES)('schedules that differ per evening (interactions over %s)', (mode) => {
  let w: World;
  afterEach(() => w?.close());

  async function save(user: string, days: string[], hours: string[]): Promise<string> {
    let msg = await run(w, user, 'schedule', [{ name: 'set', options: [] }]);
    msg = await (await w.emu.selectMenu(user, msg.id, byKey(msg, 'sched-days').custom_id, days)).final();
    msg = await (await w.emu.selectMenu(user, msg.id, byKey(msg, 'sched-hours').custom_id, hours)).final();
    return (await (await w.emu.pressButton(user, msg.id, byKey(msg, 'sched-save').custom_id)).final()).content;
  }

  it('Tuesday 20–21 and Friday 22–23 are two saves; show reads them back with the Not tonight hint; one evening can be cleared', async () => {
    w = await startConfiguredWorld(MONDAY, mode);
    const { bob } = w.emu.fixture.members;
    expect(await save(bob.id, ['2'], ['20', '21'])).toContain('every **Tuesday** at **20:00, 21:00**');
    expect(await save(bob.id, ['5'], ['22', '23'])).toContain('every **Tuesday** at **20:00, 21:00**; every **Friday** at **22:00, 23:00**');
    const show = (await run(w, bob.id, 'schedule', [{ name: 'show', options: [] }])).content;
    expect(show).toContain('every **Tuesday** at **20:00, 21:00**; every **Friday** at **22:00, 23:00**');
    expect(show).toContain('Press **Not tonight** on that day');

    // The editor opens with nothing picked (the evenings differ) and says why.
    const opened = await run(w, bob.id, 'schedule', [{ name: 'set', options: [] }]);
    expect(opened.content).toContain('Your evenings have different hours');
    expect(byKey(opened, 'sched-days').options!.filter((o) => o.default)).toEqual([]);

    // Tuesday's message seeds only Tuesday's hours.
    w.clock.set(Date.parse(TUESDAY));
    await w.tick();
    expect(today(w).content).toMatch(/🕗 <t:\d+:t> — \*\*1\*\*: Bob 📅/);
    expect(today(w).content).toMatch(/🕙 <t:\d+:t> — ·/);

    const cleared = (await run(w, bob.id, 'schedule', [{ name: 'clear', options: [{ name: 'day', value: 2 }] }])).content;
    expect(cleared).toContain("Your Tuesday evenings are off your schedule. You're on the list every **Friday** at **22:00, 23:00**");
    expect((await w.app.schedules.byDay(w.emu.fixture.guildId, bob.id)).get(2)).toBeUndefined();
  });
});
