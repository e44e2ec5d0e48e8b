import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotsFor } from '../../src/shared/time/slots.js';
import { eventually, startWorld, type World } from '../helpers/world.js';
import { memberFetches } from './rest-counts.js';

/**
 * Rank emoji as admins set them and members see them in the daily message — including for members
 * the bot knows only through a reaction removal (no member in the payload): from the cache, else REST.
 */
describe('rank emoji', () => {
  let w: World;
  let m: Record<'alice' | 'bob' | 'carol' | 'dan' | 'frank', string>;
  let roles: Record<'everyone' | 'admin' | 'moderator' | 'veteran' | 'member', string>;
  let tonight: string;
  const date = '2026-11-23';
  const config = async (sub: string, options: unknown[] = []) => String((await (await w.emu.runCommand(m.alice, 'config', [{ name: sub, options } as never])).final()).content);
  const daily = () =>
    w.emu
      .messages(tonight)
      .filter((x) => x.author.id === w.emu.applicationId)
      .at(-1)!;
  const line = (hour: number) =>
    daily()
      .content.split('\n')
      .find((l) => l.includes(`<t:${slotsFor(date, 'America/New_York', 20, 22).find((s) => s.hour === hour)!.unix}:t>`))!;

  beforeAll(async () => {
    w = await startWorld({ now: '2026-11-23T11:00:00Z' });
    m = Object.fromEntries(Object.entries(w.emu.fixture.members).map(([k, v]) => [k, v.id])) as typeof m;
    roles = w.emu.fixture.roles as typeof roles;
    tonight = w.emu.fixture.channels.tonight!;
    await config('channel', [{ name: 'channel', value: tonight }]);
    await config('hours', [
      { name: 'first', value: 20 },
      { name: 'last', value: 22 },
    ]);
  });
  afterAll(() => w.close());

  it('maps roles to emoji and lists them highest role first in /config show', async () => {
    expect(
      await config('rank', [
        { name: 'role', value: roles.member },
        { name: 'emoji', value: '🙂' },
      ]),
    ).toContain(`✅ Members with <@&${roles.member}> get 🙂 before their name in the daily message.`);
    await config('rank', [
      { name: 'role', value: roles.veteran },
      { name: 'emoji', value: '🎖' },
    ]); // stored fully qualified
    await config('rank', [
      { name: 'role', value: roles.admin },
      { name: 'emoji', value: '👑' },
    ]);
    await config('rank', [
      { name: 'role', value: roles.moderator },
      { name: 'emoji', value: '🛡️' },
    ]);
    expect(await config('rank-remove', [{ name: 'role', value: roles.moderator }])).toContain(`✅ <@&${roles.moderator}> no longer has a rank emoji.`);
    const show = await config('show');
    expect(show).toContain(['Rank emoji (highest role first):', `  👑 <@&${roles.admin}>`, `  🎖️ <@&${roles.veteran}>`, `  🙂 <@&${roles.member}>`].join('\n'));
  });

  it('refuses what is not an emoji, @everyone, and removing a mapping that does not exist — storing nothing', async () => {
    const before = await w.app.db.selectFrom('rank_emoji').selectAll().orderBy('role_id').execute();
    expect(
      await config('rank', [
        { name: 'role', value: roles.member },
        { name: 'emoji', value: 'gold star' },
      ]),
    ).toBe('`gold star` is not an emoji. Use one emoji, like 🎖️, or a custom emoji of this server.');
    expect(
      await config('rank', [
        { name: 'role', value: roles.member },
        { name: 'emoji', value: '🙂🙂' },
      ]),
    ).toContain('is not an emoji');
    expect(
      await config('rank', [
        { name: 'role', value: roles.everyone },
        { name: 'emoji', value: '⭐' },
      ]),
    ).toBe('@everyone cannot have a rank emoji: every member has it. Pick a role.');
    expect(await config('rank-remove', [{ name: 'role', value: roles.moderator }])).toBe(`<@&${roles.moderator}> has no rank emoji; nothing to remove.`);
    expect(await w.app.db.selectFrom('rank_emoji').selectAll().orderBy('role_id').execute()).toEqual(before);
  });

  it('prefixes names in the daily message with the emoji of their highest mapped role', async () => {
    w.clock.set(Date.parse('2026-11-23T12:00:00Z'));
    await w.tick();
    const id = daily().id;
    for (const who of [m.alice, m.carol, m.dan, m.frank]) await w.emu.react(who, tonight, id, '🕗');
    for (const who of [m.carol, m.frank]) await w.emu.react(who, tonight, id, '🕘');
    await eventually(async () => {
      await w.settle();
      // Alice is admin + member: the admin crown wins. Dan is only a member.
      expect(line(20)).toMatch(/\*\*4\*\*: 👑 Al, 🎖️ Caz, 🙂 Dan, 🎖️ Frankie$/);
    });
    expect(memberFetches(w)).toBe(0); // every reaction carried its member
  });

  it('names members seen only through a reaction removal: from the stored cache, else one REST fetch', async () => {
    await w.restart(); // memory cache gone
    // Carol was never stored (as if the bot had only ever seen her reactions removed); Frank is in SQLite.
    await w.app.db.deleteFrom('members').where('user_id', '=', m.carol).execute();
    const before = memberFetches(w);
    const id = daily().id;
    await w.emu.unreact(m.carol, tonight, id, '🕗');
    await w.emu.unreact(m.frank, tonight, id, '🕗');
    await eventually(async () => {
      await w.settle();
      expect(line(20)).toMatch(/\*\*2\*\*: 👑 Al, 🙂 Dan$/);
      expect(line(21)).toMatch(/\*\*2\*\*: 🎖️ Caz, 🎖️ Frankie$/);
    });
    expect(memberFetches(w) - before).toBe(1);
  });

  it("changing or removing a rank re-renders today's message at once, without anyone clicking", async () => {
    await w.settle();
    const edits = () => w.emu.events.filter((e) => e.kind === 'rest' && e.method === 'PATCH' && e.path.includes(`/messages/${daily().id}`)).length;
    const before = edits();
    expect(
      await config('rank', [
        { name: 'role', value: roles.member },
        { name: 'emoji', value: '⭐' },
      ]),
    ).toContain('✅');
    await eventually(async () => {
      await w.settle();
      expect(line(20)).toMatch(/\*\*2\*\*: 👑 Al, ⭐ Dan$/);
      expect(line(21)).toMatch(/\*\*2\*\*: 🎖️ Caz, 🎖️ Frankie$/);
    });
    expect(await config('rank-remove', [{ name: 'role', value: roles.admin }])).toContain('no longer has a rank emoji');
    await eventually(async () => {
      await w.settle();
      expect(line(20)).toMatch(/\*\*2\*\*: ⭐ Al, ⭐ Dan$/);
    });
    expect(edits() - before).toBe(2);
  });
});
