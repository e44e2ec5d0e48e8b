import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.js';

/** A server's own emoji as a rank, checked against Discord (the emulator's guild emoji). */
describe('/config rank with a custom emoji of this server', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ now: '2026-11-23T12:00:00Z' });
  });
  afterAll(() => w.close());

  const config = async (user: string, sub: string, options: unknown[]) => String((await (await w.emu.runCommand(user, 'config', [{ name: sub, options } as never])).final()).content);

  it("accepts this server's emoji, refuses an unknown one, and shows it before the member's name", async () => {
    const { alice, frank } = w.emu.fixture.members;
    const owl = w.emu.fixture.emojis.owl!;
    const veteran = w.emu.fixture.roles.veteran;
    expect(
      await config(alice.id, 'rank', [
        { name: 'role', value: veteran },
        { name: 'emoji', value: `<:${owl.name}:${owl.id}>` },
      ]),
    ).toContain(`<:${owl.name}:${owl.id}>`);
    const refused = await config(alice.id, 'rank', [
      { name: 'role', value: veteran },
      { name: 'emoji', value: '<:ghost:1085457353932899999>' },
    ]);
    expect(refused).not.toContain('✅');
    expect(await w.app.db.selectFrom('rank_emoji').select('emoji').execute()).toEqual([{ emoji: `<:${owl.name}:${owl.id}>` }]);

    await config(alice.id, 'channel', [{ name: 'channel', value: w.emu.fixture.channels.tonight }]);
    await w.tick();
    const post = (await w.app.posts.current(w.emu.fixture.guildId))!;
    await w.emu.react(frank.id, post.channel_id, post.message_id!, '🕘');
    await eventually(async () => {
      await w.settle();
      expect(w.emu.message(post.channel_id, post.message_id!)!.content).toContain(`<:${owl.name}:${owl.id}> Frankie`);
    });
  });

  it('refuses an emoji that is unavailable, or restricted to roles the bot lacks — storing nothing; accepts one restricted to a role the bot has', async () => {
    const { alice } = w.emu.fixture.members;
    const { member, admin, rollcall } = w.emu.fixture.roles;
    const emojis = w.emu.world.guild(w.emu.fixture.guildId).emojis;
    // Ids of the same shape Discord uses; the server's own emoji list is where they live.
    const add = (id: string, name: string, extra: { available?: boolean; roleIds?: string[] }) => emojis.set(id, { id, name, animated: false, ...extra });
    add('1085457353932811001', 'unboosted', { available: false });
    add('1085457353932811002', 'vip_only', { roleIds: [admin] });
    add('1085457353932811003', 'bots_ok', { roleIds: [admin, rollcall] });
    const before = await w.app.db.selectFrom('rank_emoji').selectAll().orderBy('role_id').execute();

    const unavailable = await (
      await w.emu.runCommand(alice.id, 'config', [
        {
          name: 'rank',
          options: [
            { name: 'role', value: member },
            { name: 'emoji', value: '<:unboosted:1085457353932811001>' },
          ],
        } as never,
      ])
    ).final();
    expect(unavailable.ephemeral_for).toBe(alice.id);
    expect(unavailable.content).toBe(
      '<:unboosted:1085457353932811001> is unavailable in this server right now (usually after losing a Server Boost level), so it would not show in the daily message. Pick another emoji.',
    );

    const restricted = await config(alice.id, 'rank', [
      { name: 'role', value: member },
      { name: 'emoji', value: '<:vip_only:1085457353932811002>' },
    ]);
    expect(restricted).toBe(
      `<:vip_only:1085457353932811002> can only be used by <@&${admin}>, and I have none of those roles, so I can't show it. Pick another emoji, or give me one of those roles first.`,
    );
    expect(await w.app.db.selectFrom('rank_emoji').selectAll().orderBy('role_id').execute()).toEqual(before);

    expect(
      await config(alice.id, 'rank', [
        { name: 'role', value: member },
        { name: 'emoji', value: '<:bots_ok:1085457353932811003>' },
      ]),
    ).toContain(`✅ Members with <@&${member}> get <:bots_ok:1085457353932811003> before their name`);
  });
});
