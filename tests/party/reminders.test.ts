import { afterEach, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import type { PrivacyExport } from '../../src/shared/services/privacy-export.js';
import { slotsFor } from '../../src/shared/time/slots.js';
import { botMessages, startConfiguredWorld, type World } from '../helpers/world.js';
import { click as clickOn, refusedDms, run } from './helpers.js';

const ZONE = 'America/New_York';
const EPHEMERAL = 64;
const slotStart = (date: string, hour: number) => slotsFor(date, ZONE, 20, 23).find((s) => s.hour === hour)!.unix * 1000;
/** Sets the bot's clock to `HH:mm` local on `date` and runs the scheduler once, as its timer would. */
const at = async (w: World, date: string, hhmm: string) => {
  const [hour, minute] = hhmm.split(':').map(Number);
  w.clock.set(DateTime.fromISO(date, { zone: ZONE }).set({ hour, minute }).toMillis());
  await w.tick();
};

/** When the bot recorded each reminder as sent, in New York wall-clock time (the bot's clock, not the emulator's). */
const sentAtLocal = async (w: World) =>
  (await w.app.db.selectFrom('reminders_sent').select('sent_at').orderBy('sent_at').execute()).map((r) => DateTime.fromMillis(r.sent_at!, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm'));

/** Reminder DMs through the emulator: members set `/remind before`, click hours, and the clock moves. */
describe('reminder DMs', () => {
  let w: World;
  afterEach(() => w?.close());

  const setUp = async (postedAt: string) => {
    w = await startConfiguredWorld(postedAt);
    await w.tick();
    return { m: w.emu.fixture.members, daily: botMessages(w)[0]!.id };
  };
  const click = (userId: string, daily: string, emoji: string) => clickOn(w, userId, daily, emoji);

  it('arrives N minutes before the first hour a member clicked, once, with who else is coming then', async () => {
    const { m, daily } = await setUp('2026-11-23T12:00:00Z');
    expect(await run(w, m.bob.id, 'remind', 'before', [{ name: 'minutes', value: 30 }])).toContain("I'll DM you 30 minutes before your first hour.");
    await click(m.bob.id, daily, '🕙'); // 22:00
    await click(m.bob.id, daily, '🕘'); // 21:00: his first hour
    await click(m.carol.id, daily, '🕘');
    await click(m.dan.id, daily, '🕘');
    await at(w, '2026-11-23', '20:29');
    expect(w.emu.dms(m.bob.id)).toEqual([]);
    await at(w, '2026-11-23', '20:30');
    const dms = w.emu.dms(m.bob.id);
    expect(dms).toHaveLength(1);
    const nine = slotStart('2026-11-23', 21) / 1000;
    expect(dms[0]!.content).toBe(
      `⏰ Your evening starts <t:${nine}:R>, at <t:${nine}:t>. Also coming then: Caz, Dan. Today's message: https://discord.com/channels/${w.emu.fixture.guildId}/${w.emu.fixture.channels.tonight}/${daily}\n(\`/remind off\` stops these reminders.)`,
    );
    await at(w, '2026-11-23', '20:31');
    await at(w, '2026-11-23', '21:30');
    expect(w.emu.dms(m.bob.id)).toHaveLength(1);
    // Only members who asked get one.
    expect(w.emu.dms(m.carol.id)).toEqual([]);
    expect(await w.app.db.selectFrom('reminders_sent').select(['user_id', 'hour', 'state']).execute()).toEqual([{ user_id: m.bob.id, hour: 21, state: 'sent' }]);
    // Set in the morning, before the next message: yesterday's evening is over, nothing is sent or recorded.
    await at(w, '2026-11-24', '06:00');
    await run(w, m.dan.id, 'remind', 'before', [{ name: 'minutes', value: 30 }]);
    await w.tick();
    expect(w.emu.dms(m.dan.id)).toEqual([]);
    expect(await w.app.db.selectFrom('reminders_sent').select('user_id').where('user_id', '=', m.dan.id).execute()).toEqual([]);
    // `/remind off`: the next evening, nothing.
    expect(await run(w, m.bob.id, 'remind', 'off')).toContain('Reminder: off');
    await at(w, '2026-11-24', '07:00');
    await click(m.bob.id, botMessages(w).at(-1)!.id, '🕘');
    await at(w, '2026-11-24', '20:45');
    expect(w.emu.dms(m.bob.id)).toHaveLength(1);
    // Retention takes the days' records with the votes; the choices stay.
    expect(await w.app.db.selectFrom('reminders_sent').select('user_id').execute()).not.toEqual([]);
    await w.app.retention.purge(w.emu.fixture.guildId, w.clock.now() + 400 * 86_400_000);
    expect(await w.app.db.selectFrom('reminders_sent').select('user_id').execute()).toEqual([]);
    expect(await w.app.reminderSettings.get(w.emu.fixture.guildId, m.dan.id)).toMatchObject({ minutes: 30 });
  });

  it('counts a schedule as coming, and fires at 21:00 − N local on the nights the clocks change', async () => {
    // Spring forward: Sunday 8 March 2026, 02:00 → 03:00 in New York. The post is at 07:00 EDT.
    const { m } = await setUp('2026-03-08T11:00:00Z');
    await w.app.schedules.set(w.emu.fixture.guildId, m.carol.id, { weekdays: [7, 1], hours: [21] });
    await run(w, m.carol.id, 'remind', 'before', [{ name: 'minutes', value: 45 }]);
    await at(w, '2026-03-08', '20:14');
    expect(w.emu.dms(m.carol.id)).toEqual([]);
    await at(w, '2026-03-08', '20:15');
    expect(w.emu.dms(m.carol.id)).toHaveLength(1);
    expect(await sentAtLocal(w)).toEqual(['2026-03-08 20:15']);
    expect(w.emu.dms(m.carol.id)[0]!.content).toContain(`<t:${slotStart('2026-03-08', 21) / 1000}:t>`);

    // Fall back: Sunday 1 November 2026, 02:00 → 01:00 (the schedule covers Sundays and Mondays).
    w.clock.set(Date.parse('2026-11-01T12:00:00Z')); // 07:00 EST
    await w.tick();
    await at(w, '2026-11-01', '20:14');
    expect(w.emu.dms(m.carol.id)).toHaveLength(1);
    await at(w, '2026-11-01', '20:15');
    expect(w.emu.dms(m.carol.id)).toHaveLength(2);
    expect(await sentAtLocal(w)).toEqual(['2026-03-08 20:15', '2026-11-01 20:15']);
    expect(w.emu.dms(m.carol.id)[1]!.content).toContain(`<t:${slotStart('2026-11-01', 21) / 1000}:t>`);
  });

  it('across a restart: due while down is sent at start if its hour has not begun, else dropped', async () => {
    const { m, daily } = await setUp('2026-11-23T12:00:00Z');
    await run(w, m.bob.id, 'remind', 'before', [{ name: 'minutes', value: 60 }]);
    await run(w, m.carol.id, 'remind', 'before', [{ name: 'minutes', value: 60 }]);
    await click(m.bob.id, daily, '🕘'); // 21:00 → due 20:00
    await click(m.carol.id, daily, '🕗'); // 20:00 → due 19:00
    await at(w, '2026-11-23', '18:50');
    await w.crash();
    w.clock.set(DateTime.fromISO('2026-11-23T20:10', { zone: ZONE }).toMillis());
    await w.restart();
    await w.tick();
    expect(w.emu.dms(m.bob.id)).toHaveLength(1);
    expect(w.emu.dms(m.carol.id)).toEqual([]);
    const rows = await w.app.db.selectFrom('reminders_sent').select(['user_id', 'state']).orderBy('state').execute();
    expect(rows).toEqual([
      { user_id: m.carol.id, state: 'dropped' },
      { user_id: m.bob.id, state: 'sent' },
    ]);
    await w.tick();
    expect(w.emu.dms(m.bob.id)).toHaveLength(1);
  });

  it('a member whose DMs are closed is tried once, logged, and not again — not even the next day', async () => {
    const { m, daily } = await setUp('2026-11-23T12:00:00Z');
    await run(w, m.erin.id, 'remind', 'before', [{ name: 'minutes', value: 15 }]);
    await click(m.erin.id, daily, '🕘');
    await at(w, '2026-11-23', '20:45');
    await at(w, '2026-11-23', '20:46');
    expect(refusedDms(w)).toHaveLength(1);
    expect(await run(w, m.erin.id, 'remind', 'show')).toContain('Your DMs were closed on');
    await at(w, '2026-11-24', '07:00');
    await click(m.erin.id, botMessages(w).at(-1)!.id, '🕘');
    await at(w, '2026-11-24', '20:45');
    expect(refusedDms(w)).toHaveLength(1);
    expect((await w.app.db.selectFrom('reminders_sent').select('state').execute()).map((r) => r.state)).toEqual(['closed']);
  });

  it('refuses minutes out of range with a clear ephemeral answer and changes nothing', async () => {
    const { m } = await setUp('2026-11-23T12:00:00Z');
    await run(w, m.dan.id, 'remind', 'before', [{ name: 'minutes', value: 20 }]);
    for (const minutes of [4, 181, 0, -10, 100_000]) {
      const r = await w.emu.runCommand(m.dan.id, 'remind', [{ name: 'before', options: [{ name: 'minutes', value: minutes }] } as never]);
      const reply = await r.final();
      expect(reply.flags! & EPHEMERAL).toBe(EPHEMERAL);
      expect(reply.content).toBe(`Reminders can come 5 to 180 minutes before your first hour (got ${minutes}). Nothing was changed.`);
    }
    expect(await w.app.reminderSettings.get(w.emu.fixture.guildId, m.dan.id)).toMatchObject({ minutes: 20 });
    expect(await run(w, m.dan.id, 'remind', 'show')).toContain('a DM **20 min** before');
  });

  it('never reminds a member who turned tracking off, nor names them; export and erase include the reminder rows', async () => {
    const { m, daily } = await setUp('2026-11-23T12:00:00Z');
    for (const who of [m.bob, m.frank]) await run(w, who.id, 'remind', 'before', [{ name: 'minutes', value: 30 }]);
    await run(w, m.frank.id, 'remind', 'party', [{ name: 'state', value: 'on' }]);
    await run(w, m.frank.id, 'privacy', 'tracking', [{ name: 'voice', value: 'off' }]);
    expect(await run(w, m.frank.id, 'remind', 'show')).toContain('I neither remind you nor name you in an alert');
    for (const who of [m.bob, m.frank]) await click(who.id, daily, '🕘');
    await at(w, '2026-11-23', '20:30');
    expect(w.emu.dms(m.frank.id)).toEqual([]);
    expect(w.emu.dms(m.bob.id)[0]!.content).toContain('Also coming then: 1.');

    const exported = await w.emu.runCommand(m.bob.id, 'privacy', [{ name: 'export', options: [] } as never]);
    const file = (await exported.final()).files[0]!;
    const data = JSON.parse(Buffer.from(file.bytes).toString('utf8')) as PrivacyExport;
    expect(data.reminder_settings).toMatchObject({ minutes_before: 30, party_mentions: false });
    expect(data.reminders).toEqual([{ date: '2026-11-23', hour: 21, due_at: expect.any(String), state: 'sent', sent_at: expect.any(String) }]);
    expect(data.other_tables).toEqual({});

    const erased = await w.app.privacy.erase(w.emu.fixture.guildId, m.bob.id);
    expect(erased.reminders).toBe(2);
    for (const table of ['reminder_settings', 'reminders_sent', 'party_alert_members'] as const) {
      expect(await w.app.db.selectFrom(table).select('user_id').where('user_id', '=', m.bob.id).execute()).toEqual([]);
    }
    expect(await w.app.reminderSettings.get(w.emu.fixture.guildId, m.frank.id)).toMatchObject({ minutes: 30, party: true });
  });
});
