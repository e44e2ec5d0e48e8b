/**
 * Gateway conformance: the real @discordjs/ws WebSocketManager against the emulator.
 */
import { REST } from '@discordjs/rest';
import { CompressionMethod, WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { GatewayIntentBits, GatewayOpcodes, Routes, type APIMessage } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/sandbox/index.js';
import { eventually } from './helpers.js';

/** A dispatch as received (loosely typed: the tests read fields of many event types). */
interface Dispatch {
  t: string;
  s: number;
  d: any;
}

const ROLLCALL_INTENTS = GatewayIntentBits.Guilds | GatewayIntentBits.GuildVoiceStates | GatewayIntentBits.GuildMessageReactions;

let emu: Emulator | undefined;
let manager: WebSocketManager | undefined;

afterEach(async () => {
  await Promise.resolve(manager?.destroy()).catch(() => {});
  manager = undefined;
  await emu?.close();
  emu = undefined;
});

async function connect(options: EmulatorOptions = {}, intents = ROLLCALL_INTENTS, token?: string, compression: { compression?: CompressionMethod | null; useIdentifyCompression?: boolean } = {}) {
  emu ??= await startEmulator({ heartbeatIntervalMs: 150, ...options });
  const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
  const dispatches: Dispatch[] = [];
  const closes: number[] = [];
  manager = new WebSocketManager({
    token: token ?? emu.token,
    intents,
    rest,
    compression: null,
    ...compression,
    buildIdentifyThrottler: async () => ({ waitForIdentify: async () => {} }),
  });
  manager.on(WebSocketShardEvents.Dispatch, (payload) => void dispatches.push(payload as Dispatch));
  manager.on(WebSocketShardEvents.Closed, (code) => void closes.push(code));
  manager.on(WebSocketShardEvents.Error, () => {});
  return { emu, rest, dispatches, closes, manager };
}

const ofType = (dispatches: Dispatch[], t: string) => dispatches.filter((d) => d.t === t);

describe('gateway with @discordjs/ws', () => {
  it('identifies, gets READY and GUILD_CREATE with voice states, heartbeats are acked', async () => {
    emu = await startEmulator({ heartbeatIntervalMs: 100 });
    await emu.joinVoice(emu.fixture.members.carol.id, emu.fixture.channels.squadA);
    const { dispatches, manager: m } = await connect();
    let beats = 0;
    m.on(WebSocketShardEvents.HeartbeatComplete, () => void beats++);
    await m.connect();
    const ready = ofType(dispatches, 'READY')[0];
    expect(ready?.d).toMatchObject({
      v: 10,
      resume_gateway_url: emu.gatewayUrl,
      user: { id: emu.applicationId, bot: true },
      guilds: [{ id: emu.fixture.guildId, unavailable: true }],
      application: { id: emu.applicationId },
    });
    const guild = await eventually(() => ofType(dispatches, 'GUILD_CREATE')[0]);
    const d = guild.d;
    expect(d.name).toBe('Night Owls');
    expect(d.afk_channel_id).toBe(emu.fixture.channels.afk);
    expect(d.voice_states).toEqual([expect.objectContaining({ user_id: emu.fixture.members.carol.id, channel_id: emu.fixture.channels.squadA, self_mute: false })]);
    expect(d.members.map((x: any) => x.user.id).sort()).toEqual([emu.applicationId, emu.fixture.members.carol.id].sort());
    expect(d.channels.map((c: any) => c.name)).toEqual(expect.arrayContaining(['tonight', 'general', 'Squad A', 'Squad B', 'AFK']));
    expect(d.roles.map((r: any) => r.name)).toEqual(expect.arrayContaining(['@everyone', 'Admin', 'Moderator', 'Veteran', 'Member']));
    expect(ready?.s).toBe(1);
    expect(guild.s).toBe(2);
    await eventually(() => beats >= 2, 3000);
    const before = emu.events.filter((x) => x.kind === 'gateway' && x.direction === 'in' && x.op === GatewayOpcodes.Heartbeat).length;
    emu.requestHeartbeat();
    await eventually(() => emu!.events.filter((x) => x.kind === 'gateway' && x.direction === 'in' && x.op === GatewayOpcodes.Heartbeat).length > before, 1000);
  });

  it('dispatches reactions (ADD with member, REMOVE without) and voice changes; not MESSAGE_CREATE without the intent', async () => {
    const { emu: e, rest, dispatches, manager: m } = await connect();
    await m.connect();
    const ch = e.fixture.channels.tonight;
    const alice = e.fixture.members.alice;
    const msg = (await rest.post(Routes.channelMessages(ch), { body: { content: 'Who plays tonight?' } })) as APIMessage;
    await e.react(alice.id, ch, msg.id, '🕘');
    const add = await eventually(() => ofType(dispatches, 'MESSAGE_REACTION_ADD')[0]);
    expect(add.d).toMatchObject({
      user_id: alice.id,
      message_id: msg.id,
      channel_id: ch,
      guild_id: e.fixture.guildId,
      message_author_id: e.applicationId,
      emoji: { id: null, name: '🕘' },
      member: { nick: 'Al', roles: [e.fixture.roles.admin, e.fixture.roles.member], user: { id: alice.id, global_name: 'Alice' } },
    });
    await e.unreact(alice.id, ch, msg.id, '🕘');
    const remove = await eventually(() => ofType(dispatches, 'MESSAGE_REACTION_REMOVE')[0]);
    expect(remove.d).not.toHaveProperty('member');
    expect(remove.d).not.toHaveProperty('message_author_id');
    expect(remove.d).toMatchObject({ user_id: alice.id, message_id: msg.id, emoji: { name: '🕘' } });

    await rest.put(Routes.channelMessageOwnReaction(ch, msg.id, encodeURIComponent('✅')));
    await eventually(() => ofType(dispatches, 'MESSAGE_REACTION_ADD').find((x) => x.d.user_id === e.applicationId));

    await e.joinVoice(e.fixture.members.bob.id, e.fixture.channels.squadA);
    await e.setVoiceFlags(e.fixture.members.bob.id, { selfDeaf: true });
    await e.joinVoice(e.fixture.members.bob.id, e.fixture.channels.squadB);
    await e.leaveVoice(e.fixture.members.bob.id);
    const voice = await eventually(() => {
      const v = ofType(dispatches, 'VOICE_STATE_UPDATE');
      return v.length >= 4 ? v : undefined;
    });
    expect(voice.map((v) => [v.d.channel_id, v.d.self_deaf, v.d.self_mute])).toEqual([
      [e.fixture.channels.squadA, false, false],
      [e.fixture.channels.squadA, true, true],
      [e.fixture.channels.squadB, true, true],
      [null, true, true],
    ]);
    expect(voice[0]?.d).toMatchObject({ guild_id: e.fixture.guildId, user_id: e.fixture.members.bob.id, member: { user: { id: e.fixture.members.bob.id } } });
    expect(ofType(dispatches, 'MESSAGE_CREATE')).toHaveLength(0);
  });

  it('survives a drop by resuming and receives the events it missed', async () => {
    const { emu: e, rest, dispatches, manager: m } = await connect();
    await m.connect();
    const ch = e.fixture.channels.tonight;
    const msg = (await rest.post(Routes.channelMessages(ch), { body: { content: 'x' } })) as APIMessage;
    let resumed = 0;
    m.on(WebSocketShardEvents.Resumed, () => void resumed++);
    const sessionsBefore = e.gatewaySessions.map((s) => s.id);
    expect(e.dropGateway({ resumable: true })).toBe(1);
    await e.react(e.fixture.members.dan.id, ch, msg.id, '🕘');
    await e.joinVoice(e.fixture.members.erin.id, e.fixture.channels.squadB);
    await eventually(() => resumed === 1, 5000);
    const missedReaction = ofType(dispatches, 'MESSAGE_REACTION_ADD');
    expect(missedReaction).toHaveLength(1);
    expect(ofType(dispatches, 'VOICE_STATE_UPDATE')).toHaveLength(1);
    expect(ofType(dispatches, 'READY')).toHaveLength(1);
    expect(e.gatewaySessions.map((s) => s.id)).toEqual(sessionsBefore);
    const seqs = dispatches.map((d) => d.s);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));

    // op 7 RECONNECT: the client closes and resumes.
    e.requestReconnect();
    await eventually(() => resumed === 2, 5000);
    await e.react(e.fixture.members.frank.id, ch, msg.id, '🕘');
    await eventually(() => ofType(dispatches, 'MESSAGE_REACTION_ADD').length === 2);

    // A clean close with 4000 (unknown error) is resumable too.
    e.dropGateway({ code: 4000 });
    await e.unreact(e.fixture.members.frank.id, ch, msg.id, '🕘');
    await eventually(() => resumed === 3, 5000);
    await eventually(() => ofType(dispatches, 'MESSAGE_REACTION_REMOVE').length === 1);
    expect(ofType(dispatches, 'READY')).toHaveLength(1);
  });

  it('re-identifies with a fresh READY/GUILD_CREATE when the resume is refused', async () => {
    const { emu: e, dispatches, manager: m } = await connect();
    await m.connect();
    const first = ofType(dispatches, 'READY')[0]?.d.session_id;
    e.dropGateway({ resumable: false });
    await eventually(() => ofType(dispatches, 'READY').length === 2, 6000);
    await eventually(() => ofType(dispatches, 'GUILD_CREATE').length === 2);
    const second = ofType(dispatches, 'READY')[1]?.d.session_id;
    expect(second).not.toBe(first);
    expect(e.events.some((x) => x.kind === 'gateway' && x.op === GatewayOpcodes.InvalidSession)).toBe(true);
  });

  it('closes with 4014 for a privileged intent that is not enabled, and allows it once enabled', async () => {
    const { closes, manager: m } = await connect({}, ROLLCALL_INTENTS | GatewayIntentBits.GuildMembers);
    void m.connect().catch(() => {});
    await eventually(() => closes.includes(4014));
    await m.destroy();

    emu?.setPrivilegedIntents(GatewayIntentBits.GuildMembers);
    const again = await connect({}, ROLLCALL_INTENTS | GatewayIntentBits.GuildMembers);
    await again.manager.connect();
    const guild = await eventually(() => ofType(again.dispatches, 'GUILD_CREATE')[0]);
    expect(guild.d.members.length).toBe(8);
    expect(ofType(again.dispatches, 'READY')[0]?.d.application.flags).toBe(1 << 14);
  });

  it('closes with 4004 for a bad token and 4013 for invalid intents', async () => {
    const bad = await connect({}, ROLLCALL_INTENTS, 'not-the-token');
    void bad.manager.connect().catch(() => {});
    await eventually(() => bad.closes.includes(4004));
    await bad.manager.destroy();
    const invalid = await connect({}, 1 << 30);
    void invalid.manager.connect().catch(() => {});
    await eventually(() => invalid.closes.includes(4013));
  });

  it('applies op 4 voice state updates from the bot and records them', async () => {
    const { emu: e, dispatches, manager: m } = await connect();
    await m.connect();
    const d = { guild_id: e.fixture.guildId, channel_id: e.fixture.channels.squadA, self_mute: false, self_deaf: true };
    await m.send(0, { op: GatewayOpcodes.VoiceStateUpdate, d });
    const server = await eventually(() => ofType(dispatches, 'VOICE_SERVER_UPDATE')[0]);
    // The emulator's voice server: its own TLS port, as Discord names a voice host and port.
    expect(server.d).toMatchObject({ guild_id: e.fixture.guildId, endpoint: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    const state = ofType(dispatches, 'VOICE_STATE_UPDATE')[0];
    expect(state?.d).toMatchObject({ user_id: e.applicationId, channel_id: e.fixture.channels.squadA, self_deaf: true, session_id: ofType(dispatches, 'READY')[0]?.d.session_id });
    expect(e.voiceOps).toEqual([expect.objectContaining(d)]);
    await m.send(0, { op: GatewayOpcodes.VoiceStateUpdate, d: { ...d, channel_id: null } });
    await eventually(() => ofType(dispatches, 'VOICE_STATE_UPDATE').length === 2);
    expect(e.voiceStates()).toEqual([]);
  });

  it('speaks zlib-stream transport compression and identify payload compression', async () => {
    for (const compression of [{ compression: CompressionMethod.ZlibNative }, { useIdentifyCompression: true }]) {
      const { emu: e, dispatches, manager: m } = await connect({}, ROLLCALL_INTENTS, undefined, compression);
      await m.connect();
      await e.joinVoice(e.fixture.members.dan.id, e.fixture.channels.squadB);
      await eventually(() => ofType(dispatches, 'VOICE_STATE_UPDATE')[0]);
      expect(ofType(dispatches, 'GUILD_CREATE')).toHaveLength(1);
      await m.destroy();
      await e.leaveVoice(e.fixture.members.dan.id);
    }
  });

  it("blanks other users' message content without MESSAGE_CONTENT, as Discord does", async () => {
    const { emu: e, rest, dispatches, manager: m } = await connect({}, ROLLCALL_INTENTS | GatewayIntentBits.GuildMessages);
    await m.connect();
    const ch = e.fixture.channels.general;
    await e.say(e.fixture.members.bob.id, ch, 'secret plans');
    await e.say(e.fixture.members.bob.id, ch, `<@${e.applicationId}> hello`);
    await rest.post(Routes.channelMessages(ch), { body: { content: 'from the bot' } });
    const created = await eventually(() => {
      const list = ofType(dispatches, 'MESSAGE_CREATE');
      return list.length === 3 ? list : undefined;
    });
    expect(created.map((x) => x.d.content)).toEqual(['', `<@${e.applicationId}> hello`, 'from the bot']);
    expect(created[0]?.d).toMatchObject({ guild_id: e.fixture.guildId, author: { id: e.fixture.members.bob.id }, member: { roles: expect.any(Array) } });
    e.dropGateway({ resumable: false });
    await eventually(() => ofType(dispatches, 'READY').length === 2, 6000);
    await e.deleteMessage(ch, created[2]?.d.id);
    await eventually(() => ofType(dispatches, 'MESSAGE_DELETE')[0]);
    await expect(rest.patch(Routes.channelMessage(ch, created[2]?.d.id), { body: { content: 'x' } })).rejects.toMatchObject({ code: 10008 });
  });
});
