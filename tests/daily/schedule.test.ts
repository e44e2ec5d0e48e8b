import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatedMessage } from '../../src/sandbox/index.js';
import { MODES, configureGuild, eventually, startWorld, type World } from '../helpers/world.js';
import { slotsFor } from '../../src/shared/time/slots.js';

type Select = { custom_id: string; options?: { value: string; default?: boolean }[] };
const componentsOf = (m: EmulatedMessage) => (m.components ?? []).flatMap((row) => (row as { components: Select[] }).components);
const byKey = (m: EmulatedMessage, key: string) => componentsOf(m).find((c) => c.custom_id.startsWith(`${key}:`))!;

/**
 * Members set recurring schedules with the select menus; the next day's message starts with them,
 * each member's schedule is their own, a click overrides a scheduled hour for that day only, and
 * 9 pm stays 9 pm local across the DST change.
 */
describe.each(MODES)('recurring schedules through /schedule and its menus (interactions over %s)', (mode) => {
  let w: World;
  let tonight: string;
  let alice: string, bob: string, carol: string;
  const botMessages = () => w.emu.messages(tonight).filter((m) => m.author.id === w.emu.applicationId && !m.ephemeral_for);

  /** Runs /schedule set as `user`, picks `days` and `hours` in the menus, presses Save; returns the final ephemeral text. */
  async function setSchedule(user: string, days: string[], hours: string[]): Promise<string> {
    const opened = await (await w.emu.runCommand(user, 'schedule', [{ name: 'set', options: [] } as never])).final();
    expect(opened.ephemeral_for).toBe(user);
    let msg = opened;
    msg = await (await w.emu.selectMenu(user, msg.id, byKey(msg, 'sched-days').custom_id, days)).final();
    msg = await (await w.emu.selectMenu(user, msg.id, byKey(msg, 'sched-hours').custom_id, hours)).final();
    const saved = await (await w.emu.pressButton(user, msg.id, byKey(msg, 'sched-save').custom_id)).final();
    return saved.content;
  }

  beforeAll(async () => {
    // Saturday 31 October 2026, 09:00 in New York; DST ends Sunday 1 November at 2 am.
    w = await startWorld({ interactions: mode, now: '2026-10-31T13:00:00Z' });
    tonight = w.emu.fixture.channels.tonight;
    ({
      alice: { id: alice },
      bob: { id: bob },
      carol: { id: carol },
    } = w.emu.fixture.members);
  });
  afterAll(() => w.close());

  it('refuses /schedule before the server is set up, clearly', async () => {
    const reply = await (await w.emu.runCommand(bob, 'schedule', [{ name: 'set', options: [] } as never])).final();
    expect(reply.content).toContain('an admin needs to pick a channel');
    await configureGuild(w, tonight);
  });

  it('two members set different schedules; neither disturbs the other', async () => {
    expect(await setSchedule(bob, ['7'], ['21'])).toContain('every **Sunday** at **21:00**');
    expect(await setSchedule(carol, ['6', '7'], ['20', '22'])).toContain('every **Saturday, Sunday** at **20:00, 22:00**');
    const show = async (u: string) => (await (await w.emu.runCommand(u, 'schedule', [{ name: 'show', options: [] } as never])).final()).content;
    expect(await show(bob)).toContain('every **Sunday** at **21:00**');
    expect(await show(carol)).toContain('every **Saturday, Sunday** at **20:00, 22:00**');
    expect(await show(alice)).toContain('no schedule');
  });

  it("today's message starts with the schedules that cover today", async () => {
    await w.tick();
    const sat = botMessages()[0]!.content;
    expect(sat).toContain('Saturday 31 October');
    expect(sat).toMatch(/🕗 <t:\d+:t> — \*\*1\*\*: Caz 📅/);
    expect(sat).not.toContain('Bob');
  });

  it('next day (DST ends overnight): both appear, and 9 pm is still 9 pm local', async () => {
    w.clock.set(Date.parse('2026-11-01T14:00:00Z')); // Sunday 09:00 EST
    await w.tick();
    const sun = botMessages().at(-1)!.content;
    const slots = slotsFor('2026-11-01', 'America/New_York', 20, 23);
    const nine = slots.find((s) => s.hour === 21)!;
    expect(nine.unix).toBe(Date.parse('2026-11-02T02:00:00Z') / 1000); // 21:00 EST = 02:00Z
    expect(sun).toContain(`🕘 <t:${nine.unix}:t> — **1**: Bob 📅`);
    expect(sun).toMatch(/🕗 <t:\d+:t> — \*\*1\*\*: Caz 📅/);
    expect(sun).toMatch(/🕙 <t:\d+:t> — \*\*1\*\*: Caz 📅/);
  });

  it('un-clicking a scheduled hour overrides it for that day only', async () => {
    const sunday = botMessages().at(-1)!;
    // Bob's scheduled 21:00 shows no reaction of his; he clicks and un-clicks to say "not tonight".
    await w.emu.react(bob, tonight, sunday.id, '🕘');
    await w.emu.unreact(bob, tonight, sunday.id, '🕘');
    await eventually(async () => {
      await w.settle();
      expect(w.emu.message(tonight, sunday.id)!.content).not.toContain('Bob');
    });
    // Next Sunday he is back, from his schedule.
    w.clock.set(Date.parse('2026-11-08T14:00:00Z'));
    await w.tick();
    const next = botMessages().at(-1)!.content;
    expect(next).toContain('Sunday 8 November');
    expect(next).toContain('Bob 📅');
  });

  it('bad input in the menus: saving with nothing picked, un-picking every day', async () => {
    const opened = await (await w.emu.runCommand(alice, 'schedule', [{ name: 'set', options: [] } as never])).final();
    const empty = await (await w.emu.pressButton(alice, opened.id, byKey(opened, 'sched-save').custom_id)).final();
    expect(empty.content).toContain('Pick at least one evening and one hour');
    const cleared = await (await w.emu.selectMenu(alice, opened.id, byKey(opened, 'sched-days').custom_id, [])).final();
    expect(cleared.content).toContain('No evenings picked');
    expect(await w.app.db.selectFrom('schedules').selectAll().where('user_id', '=', alice).execute()).toHaveLength(0);
  });

  it('/schedule clear removes only my schedule', async () => {
    const reply = await (await w.emu.runCommand(carol, 'schedule', [{ name: 'clear', options: [] } as never])).final();
    expect(reply.content).toContain('removed');
    const rows = await w.app.db.selectFrom('schedules').select('user_id').distinct().execute();
    expect(rows.map((r) => r.user_id)).toEqual([bob]);
  });

  it('a half-finished menu still works after the bot restarts: the picks travel in the custom_ids', async () => {
    const dan = w.emu.fixture.members.dan.id;
    let msg = await (await w.emu.runCommand(dan, 'schedule', [{ name: 'set', options: [] } as never])).final();
    msg = await (await w.emu.selectMenu(dan, msg.id, byKey(msg, 'sched-days').custom_id, ['2', '4'])).final();
    await w.restart(); // between picking the days and the hours
    msg = await (await w.emu.selectMenu(dan, msg.id, byKey(msg, 'sched-hours').custom_id, ['20', '23'])).final();
    expect(msg.content).not.toContain('out of date');
    await w.restart(); // and again before Save
    const saved = await (await w.emu.pressButton(dan, msg.id, byKey(msg, 'sched-save').custom_id)).final();
    expect(saved.ephemeral_for).toBe(dan);
    expect(saved.content).toContain('every **Tuesday, Thursday** at **20:00, 23:00**');
    const show = await (await w.emu.runCommand(dan, 'schedule', [{ name: 'show', options: [] } as never])).final();
    expect(show.content).toContain('every **Tuesday, Thursday** at **20:00, 23:00**');
  });
});
