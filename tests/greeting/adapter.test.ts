import { describe, expect, it } from 'vitest';
import { joinVoiceChannel, VoiceConnectionStatus } from '@discordjs/voice';
import type { GatewayDispatchPayload, GatewayVoiceStateUpdate } from 'discord-api-types/v10';
import { createLogger } from '../../src/shared/logger.js';
import { VoiceGatewayBridge } from '../../src/voice/adapter.js';

const BOT = '900000000000000001';
const GUILD = '900000000000000002';
const CHANNEL = '900000000000000003';

const dispatch = (t: string, d: unknown) => ({ op: 0, s: 1, t, d }) as unknown as GatewayDispatchPayload;
const voiceState = (userId: string, channelId: string | null) =>
  dispatch('VOICE_STATE_UPDATE', {
    guild_id: GUILD,
    channel_id: channelId,
    user_id: userId,
    session_id: `session-${userId}`,
    deaf: false,
    mute: false,
    self_deaf: true,
    self_mute: false,
    self_video: false,
    suppress: false,
    request_to_speak_timestamp: null,
  });

function bridgeWithLog() {
  const sent: GatewayVoiceStateUpdate[] = [];
  let connected = true;
  const bridge = new VoiceGatewayBridge({ send: (p) => void sent.push(p), connected: () => connected, log: createLogger('silent') });
  bridge.onDispatch(dispatch('READY', { v: 10, user: { id: BOT, username: 'rollcall', bot: true }, guilds: [], session_id: 'x', resume_gateway_url: 'ws://x', application: { id: BOT, flags: 0 } }));
  return { bridge, sent, disconnect: () => (connected = false), reconnect: () => (connected = true) };
}

describe('the voice adapter over the project’s own gateway shard', () => {
  it('sends op 4 (self-deafened) through the shard, and hands the bot’s voice state and the voice server to @discordjs/voice', () => {
    const { bridge, sent } = bridgeWithLog();
    const connection = joinVoiceChannel({ guildId: GUILD, channelId: CHANNEL, adapterCreator: bridge.adapterCreator(GUILD), selfDeaf: true, selfMute: false, group: 'adapter-test-1' });
    const errors: Error[] = [];
    connection.on('error', (e) => errors.push(e));
    expect(sent).toEqual([{ op: 4, d: { guild_id: GUILD, channel_id: CHANNEL, self_deaf: true, self_mute: false } }]);
    expect(connection.state.status).toBe(VoiceConnectionStatus.Signalling);

    // Someone else's voice state is not the bot's, another guild's voice server is not this one's.
    bridge.onDispatch(voiceState('900000000000000099', CHANNEL));
    bridge.onDispatch(dispatch('VOICE_SERVER_UPDATE', { token: 'tok', guild_id: '900000000000000077', endpoint: '127.0.0.1:9/voice' }));
    expect(connection.state.status).toBe(VoiceConnectionStatus.Signalling);

    // The bot's own state, then its voice server (Discord's order): @discordjs/voice starts connecting.
    bridge.onDispatch(voiceState(BOT, CHANNEL));
    expect(connection.state.status).toBe(VoiceConnectionStatus.Signalling);
    bridge.onDispatch(dispatch('VOICE_SERVER_UPDATE', { token: 'tok', guild_id: GUILD, endpoint: '127.0.0.1:9/voice' }));
    expect(connection.state.status).toBe(VoiceConnectionStatus.Connecting);
    expect(connection.joinConfig.channelId).toBe(CHANNEL);

    connection.destroy();
    expect(sent.at(-1)).toEqual({ op: 4, d: { guild_id: GUILD, channel_id: null, self_deaf: true, self_mute: false } });
    expect(bridge.has(GUILD)).toBe(false);
  });

  it('refuses to send while the shard is down, so @discordjs/voice knows the adapter is unavailable; the leave waits for RESUMED', () => {
    const { bridge, sent, disconnect, reconnect } = bridgeWithLog();
    disconnect();
    const connection = joinVoiceChannel({ guildId: GUILD, channelId: CHANNEL, adapterCreator: bridge.adapterCreator(GUILD), selfDeaf: true, selfMute: false, group: 'adapter-test-2' });
    expect(sent).toEqual([]);
    expect(connection.state.status).toBe(VoiceConnectionStatus.Disconnected);
    connection.destroy();
    expect(bridge.leave(GUILD)).toBe(false);
    expect(sent).toEqual([]);
    expect(bridge.waitingLeaves).toEqual([GUILD]);
    reconnect();
    bridge.onResumed();
    expect(sent).toEqual([{ op: 4, d: { guild_id: GUILD, channel_id: null, self_mute: false, self_deaf: false } }]);
    expect(bridge.waitingLeaves).toEqual([]);
    bridge.onResumed();
    expect(sent).toHaveLength(1);
  });

  it('can leave without a voice connection (the last resort after a failure)', () => {
    const { bridge, sent } = bridgeWithLog();
    expect(bridge.leave(GUILD)).toBe(true);
    expect(sent).toEqual([{ op: 4, d: { guild_id: GUILD, channel_id: null, self_mute: false, self_deaf: false } }]);
  });

  it('a socket close keeps the adapter (a resume is the same session); a leave during the outage goes out at RESUMED', () => {
    const { bridge, sent, disconnect, reconnect } = bridgeWithLog();
    const connection = joinVoiceChannel({ guildId: GUILD, channelId: CHANNEL, adapterCreator: bridge.adapterCreator(GUILD), selfDeaf: true, selfMute: false, group: 'adapter-test-3' });
    connection.on('error', () => undefined);
    disconnect();
    // Replayed after the resume: the connection still gets its events.
    bridge.onDispatch(voiceState(BOT, CHANNEL));
    bridge.onDispatch(dispatch('VOICE_SERVER_UPDATE', { token: 'tok', guild_id: GUILD, endpoint: '127.0.0.1:9/voice' }));
    expect(connection.state.status).toBe(VoiceConnectionStatus.Connecting);
    expect(bridge.has(GUILD)).toBe(true);
    connection.destroy(); // the greeting ends while the shard is still down
    expect(sent).toHaveLength(1);
    reconnect();
    bridge.onResumed();
    expect(sent.at(-1)).toEqual({ op: 4, d: { guild_id: GUILD, channel_id: null, self_mute: false, self_deaf: false } });
  });

  it('a new session (READY) destroys the connections signalled through the old one and leaves their guilds', () => {
    const { bridge, sent, disconnect, reconnect } = bridgeWithLog();
    const connection = joinVoiceChannel({ guildId: GUILD, channelId: CHANNEL, adapterCreator: bridge.adapterCreator(GUILD), selfDeaf: true, selfMute: false, group: 'adapter-test-4' });
    disconnect();
    reconnect();
    bridge.onNewSession();
    expect(connection.state.status).toBe(VoiceConnectionStatus.Destroyed);
    expect(bridge.has(GUILD)).toBe(false);
    expect(sent).toEqual([
      { op: 4, d: { guild_id: GUILD, channel_id: CHANNEL, self_deaf: true, self_mute: false } },
      { op: 4, d: { guild_id: GUILD, channel_id: null, self_mute: false, self_deaf: false } },
    ]);
    // The first READY of a run has nothing to leave.
    bridge.onNewSession();
    expect(sent).toHaveLength(2);
  });
});
