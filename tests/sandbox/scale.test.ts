/**
 * Big guilds (`scale`): GUILD_CREATE as Discord sends it without the members intent, counts,
 * generated members resolvable over REST, several guilds, and the command-line options.
 */
import { REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { GatewayIntentBits, Routes, type APIGuildMember } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { generatedMemberId, startEmulator, type Emulator, type EmulatorOptions } from '../../src/sandbox/index.js';
import { scaleFromArgs } from '../../src/sandbox/scale-args.js';
import { LazyMap } from '../../src/sandbox/state/scale.js';
import { eventually } from './helpers.js';

const ROLLCALL_INTENTS = GatewayIntentBits.Guilds | GatewayIntentBits.GuildVoiceStates | GatewayIntentBits.GuildMessageReactions;

let emu: Emulator | undefined;
let manager: WebSocketManager | undefined;
afterEach(async () => {
  await Promise.resolve(manager?.destroy()).catch(() => {});
  manager = undefined;
  await emu?.close();
  emu = undefined;
});

async function guildCreates(options: EmulatorOptions): Promise<{ emu: Emulator; rest: REST; guilds: any[] }> {
  emu = await startEmulator({ heartbeatIntervalMs: 1000, ...options });
  const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
  const guilds: any[] = [];
  manager = new WebSocketManager({ token: emu.token, intents: ROLLCALL_INTENTS, rest, compression: null, buildIdentifyThrottler: async () => ({ waitForIdentify: async () => {} }) });
  manager.on(WebSocketShardEvents.Dispatch, (p) => void (p.t === 'GUILD_CREATE' && guilds.push(p.d)));
  await manager.connect();
  return { emu, rest, guilds };
}

describe('big guilds', () => {
  it('GUILD_CREATE carries every channel, role and emoji, member_count, and only the bot and those in voice as members', async () => {
    const { emu, guilds } = await guildCreates({ scale: { members: 10_000, channels: 500, voice: 200 } });
    const [g] = await eventually(() => (guilds.length === 1 ? guilds : false));
    expect(g.id).toBe(emu.fixture.guildId);
    expect(g.member_count).toBe(10_000);
    expect(g.large).toBe(true);
    expect(g.channels).toHaveLength(500);
    expect(g.channels.filter((c: any) => c.type === 2).length).toBeGreaterThan(50);
    expect(g.channels.every((c: any) => c.guild_id === undefined)).toBe(true);
    expect(g.roles.length).toBeGreaterThan(20);
    expect(g.emojis.length).toBeGreaterThanOrEqual(40);
    expect(g.voice_states).toHaveLength(200);
    // Without GUILD_MEMBERS: members are those in voice and the bot, each with its user.
    const memberIds = g.members.map((m: APIGuildMember) => m.user.id).sort();
    const expected = [...g.voice_states.map((v: any) => v.user_id), emu.applicationId].sort();
    expect(memberIds).toEqual(expected);
    expect(g.members[0]).toMatchObject({ roles: expect.any(Array), joined_at: expect.any(String), user: { username: expect.any(String) } });
    const voiceChannels = new Set(g.channels.filter((c: any) => c.type === 2).map((c: any) => c.id));
    expect(g.voice_states.every((v: any) => voiceChannels.has(v.channel_id) && v.session_id.length === 32)).toBe(true);
    // Generated lazily: only what the payload touched was made.
    expect(emu.world.guild(emu.fixture.guildId).members.size).toBe(10_000);
  });

  it('resolves any generated member over REST, lists them with the members intent, and 404s past the count', async () => {
    emu = await startEmulator({ scale: { members: 2_000 }, privilegedIntents: GatewayIntentBits.GuildMembers });
    const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    const layout = emu.scaledGuilds[0]!;
    const last = layout.memberId(layout.generatedMembers - 1);
    const member = (await rest.get(Routes.guildMember(emu.fixture.guildId, last))) as APIGuildMember;
    expect(member.user.id).toBe(last);
    expect(member.user.username).toMatch(/\d+$/);
    await expect(rest.get(Routes.user(last))).resolves.toMatchObject({ id: last });
    await expect(rest.get(Routes.guildMember(emu.fixture.guildId, layout.memberId(layout.generatedMembers)))).rejects.toMatchObject({ status: 404, code: 10007 });
    const all: APIGuildMember[] = [];
    let after = '0';
    for (;;) {
      const page = (await rest.get(Routes.guildMembers(emu.fixture.guildId), { query: new URLSearchParams({ limit: '1000', after }) })) as APIGuildMember[];
      if (page.length === 0) break;
      all.push(...page);
      after = page.at(-1)!.user.id;
    }
    expect(all).toHaveLength(2_000);
    expect(new Set(all.map((m) => m.user.id)).size).toBe(2_000);
    expect(all.map((m) => m.user.id)).toContain(emu.fixture.members.alice.id);
  });

  it('serves several guilds of the same size, each with the bot, and acts as their members', async () => {
    const { emu, guilds } = await guildCreates({ scale: { members: 500, channels: 60, voice: 10, guilds: 3 } });
    await eventually(() => guilds.length === 3);
    expect(guilds.map((g) => g.member_count)).toEqual([500, 500, 500]);
    expect(guilds.map((g) => g.channels.length)).toEqual([60, 60, 60]);
    expect(new Set(guilds.map((g) => g.id)).size).toBe(3);
    for (const g of guilds) expect(g.members.map((m: any) => m.user.id)).toContain(emu.applicationId);
    const third = emu.scaledGuilds[2]!;
    const someone = third.memberId(100);
    expect(someone).toBe(generatedMemberId(2, 100));
    await emu.joinVoice(someone, third.voiceChannelIds[0]!);
    expect(emu.voiceStates(third.id)).toHaveLength(11);
    await emu.leaveVoice(someone);
    expect(emu.voiceStates(third.id)).toHaveLength(10);
    // A member of one guild is not a member of another.
    expect(emu.world.guild(emu.fixture.guildId).members.has(someone)).toBe(false);
  });

  it('refuses sizes it cannot make', async () => {
    await expect(startEmulator({ scale: { members: 3 } })).rejects.toThrow(/scale.members/);
    await expect(startEmulator({ scale: { members: 100, voice: 200 } })).rejects.toThrow(/scale.voice/);
    expect(() => scaleFromArgs({ members: 'ten' })).toThrow('--members must be a whole number (got ten)');
    expect(scaleFromArgs({})).toBeUndefined();
    expect(scaleFromArgs({ members: '10000', guilds: '2' })).toEqual({ members: 10_000, guilds: 2 });
  });
});

describe('LazyMap', () => {
  it('behaves as a Map over generated and own entries', () => {
    const made: string[] = [];
    const map = new LazyMap<{ n: number }>({
      size: 3,
      *ids() {
        yield* ['a', 'b', 'c'];
      },
      includes: (id) => ['a', 'b', 'c'].includes(id),
      make: (id) => (made.push(id), { n: id.charCodeAt(0) }),
    });
    expect(map.size).toBe(3);
    expect(made).toEqual([]);
    map.get('b')!.n = 0;
    expect(map.get('b')!.n).toBe(0);
    map.set('z', { n: 26 });
    expect(map.delete('a')).toBe(true);
    expect(map.delete('a')).toBe(false);
    expect(map.has('a')).toBe(false);
    expect(map.get('a')).toBeUndefined();
    expect([...map.keys()]).toEqual(['b', 'c', 'z']);
    expect(map.size).toBe(3);
    map.set('a', { n: 1 });
    expect(map.get('a')!.n).toBe(1);
    expect(map.size).toBe(4);
    expect(new Map(map).get('b')!.n).toBe(0);
  });
});
