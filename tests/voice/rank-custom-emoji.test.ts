import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.js';

/** A server's own emoji as a rank, checked against Discord (the emulator's guild emoji). */
describe('/config rank with a custom emoji of this server', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ now: '2026-11-23T12:00:00Z' });
  });
  afterAll(() => w.close());

  const config = async (user: string, sub: string, options: unknown[]) =>
    String((await (await w.emu.runCommand(user, 'config', [{ name: sub, options } as never])).final()).content);

  it("accepts this server's emoji, refuses an unknown one, and shows it before the member's name", async () => {
    const { alice, frank } = w.emu.fixture.members;
    const owl = w.emu.fixture.emojis.owl!;
    const veteran = w.emu.fixture.roles.veteran;
    expect(await config(alice.id, 'rank', [{ name: 'role', value: veteran }, { name: 'emoji', value: `<:${owl.name}:${owl.id}>` }])).toContain(`<:${owl.name}:${owl.id}>`);
    const refused = await config(alice.id, 'rank', [{ name: 'role', value: veteran }, { name: 'emoji', value: '<:ghost:1085457353932899999>' }]);
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
});
