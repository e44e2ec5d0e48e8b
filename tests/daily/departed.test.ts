import { afterEach, describe, expect, it } from 'vitest';
import { botMessages, eventually, startConfiguredWorld, type World } from '../helpers/world.js';

const DAY1 = '2026-11-23T12:00:00Z'; // Monday 07:00 in New York
const DAY2 = '2026-11-24T12:00:00Z';
const DAY3 = '2026-11-25T12:00:00Z';

const run = async (w: World, user: string, name: string, options: unknown[]) => (await w.emu.runCommand(user, name, options as never)).final();
const today = (w: World) =>
  botMessages(w)
    .filter((m) => !m.ephemeral_for)
    .at(-1)!;

describe('a member who left the server', () => {
  let w: World;
  afterEach(() => w?.close());

  it('is left off the message once Discord says 10007, the schedule is paused (not seeded), and an admin can clear it', async () => {
    w = await startConfiguredWorld(DAY1);
    const { alice, bob, carol } = w.emu.fixture.members;
    const guild = w.emu.fixture.guildId;
    const everyDay = { weekdays: [1, 2, 3, 4, 5, 6, 7], hours: [20, 21] };
    await w.app.schedules.set(guild, bob.id, everyDay);
    await w.app.schedules.set(guild, carol.id, everyDay);
    await w.tick();
    expect(today(w).content).toContain('Bob');

    await w.emu.removeMember(bob.id);
    // Without the members intent nothing is sent; the next day's look-up of his name (his cached copy
    // is over 12 h old) meets 10007 Unknown Member.
    w.clock.set(Date.parse(DAY2));
    await w.tick();
    await eventually(async () => {
      await w.settle();
      expect(today(w).content).not.toContain('Bob');
      expect(today(w).content).not.toContain(`<@${bob.id}>`);
    });
    expect(today(w).content).toContain('Caz');
    expect(await w.app.db.selectFrom('departed_members').select('user_id').execute()).toEqual([{ user_id: bob.id }]);

    // The day after, his schedule is not seeded at all: paused, still stored.
    w.clock.set(Date.parse(DAY3));
    await w.tick();
    const seeded = await w.app.db.selectFrom('availability').select('user_id').where('date', '=', '2026-11-25').execute();
    expect(seeded.map((r) => r.user_id)).not.toContain(bob.id);
    expect(seeded.map((r) => r.user_id)).toContain(carol.id);
    expect((await w.app.schedules.get(guild, bob.id)).weekdays).toHaveLength(7);

    // A member cannot clear someone else's schedule; an admin can, by the user (Discord resolves no member for him).
    const refused = await run(w, carol.id, 'schedule', [{ name: 'clear', options: [{ name: 'member', value: bob.id }] }]);
    expect(refused.content).toContain('Only server admins');
    expect((await w.app.schedules.get(guild, bob.id)).weekdays).toHaveLength(7);
    const cleared = await run(w, alice.id, 'schedule', [{ name: 'clear', options: [{ name: 'member', value: bob.id }] }]);
    expect(cleared.content).toContain(`<@${bob.id}>'s schedule is removed`);
    expect((await w.app.schedules.get(guild, bob.id)).weekdays).toEqual([]);
  });

  it('is back the moment a payload shows them in the server again', async () => {
    w = await startConfiguredWorld(DAY1);
    const { bob } = w.emu.fixture.members;
    const guild = w.emu.fixture.guildId;
    await w.app.db.insertInto('departed_members').values({ guild_id: guild, user_id: bob.id, departed_at: 0 }).execute();
    await w.tick();
    await w.emu.react(bob.id, w.emu.fixture.channels.tonight, today(w).id, '🕗'); // the ADD carries his member
    await eventually(async () => {
      await w.settle();
      expect(today(w).content).toContain('Bob');
    });
    expect(await w.app.db.selectFrom('departed_members').selectAll().execute()).toEqual([]);
  });
});
