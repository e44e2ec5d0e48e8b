import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRest, DiscordApi } from '../../src/shared/discord/rest.js';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';

/**
 * The REST façade's member and emoji look-ups against the emulator, which answers with Discord's
 * error bodies: "unknown" becomes null (not in the guild / not this guild's emoji), anything else
 * (another guild, a guild the bot left, Discord failing) throws.
 */
describe('member and emoji look-ups over REST', () => {
  let emu: Emulator;
  let api: DiscordApi;
  let guildId: string;
  let roles: Record<string, string>;
  let members: Emulator['fixture']['members'];

  beforeAll(async () => {
    emu = await startEmulator();
    api = new DiscordApi(createRest({ apiUrl: emu.api, token: emu.token }), emu.applicationId);
    guildId = emu.fixture.guildId;
    roles = emu.fixture.roles;
    members = emu.fixture.members;
  });
  afterAll(() => emu.close());

  it('reads a member as plain values: nick, else global name, else username', async () => {
    expect(await api.getGuildMember(guildId, members.carol.id)).toEqual({ userId: members.carol.id, displayName: 'Caz', roles: [roles.veteran, roles.member], avatar: null, bot: false });
    expect(await api.getGuildMember(guildId, members.bob.id)).toMatchObject({ displayName: 'Bob', bot: false });
    expect(await api.getGuildMember(guildId, members.beep.id)).toEqual({ userId: members.beep.id, displayName: 'Beep', roles: [roles.beep], avatar: null, bot: true });
  });

  it('answers null for a user not in the guild (10007) and for an emoji not of this guild (10014)', async () => {
    await emu.removeMember(members.dan.id);
    expect(await api.getGuildMember(guildId, members.dan.id)).toBeNull();
    expect(emu.events.filter((e) => e.kind === 'rest' && e.error?.code === 10007)).toHaveLength(1);
    expect(await api.getGuildEmoji(guildId, emu.fixture.emojis.owl!.id)).toMatchObject({ name: 'owl_yes' });
    expect(await api.getGuildEmoji(guildId, '940000000000000002')).toBeNull();
    expect(emu.events.filter((e) => e.kind === 'rest' && e.error?.code === 10014)).toHaveLength(1);
  });

  it('throws for other errors, so the caller keeps what it knows instead of forgetting the member', async () => {
    await expect(api.getGuildMember('940000000000000002', members.carol.id)).rejects.toThrow('Unknown Guild');
    emu.injectFault({ method: 'GET', route: '/guilds/:id/members/:id', status: 503, count: 3 });
    await expect(api.getGuildMember(guildId, members.carol.id)).rejects.toThrow(/503|Service Unavailable/);
    // Last: the bot is removed from the guild, so it may no longer look at it (50001).
    await emu.removeMember(emu.fixture.botUserId);
    await expect(api.getGuildMember(guildId, members.carol.id)).rejects.toThrow('Missing Access');
    await expect(api.getGuildEmoji(guildId, emu.fixture.emojis.owl!.id)).rejects.toThrow('Missing Access');
  });
});
