import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { GatewayDispatchPayload, GatewayVoiceStateUpdate } from 'discord-api-types/v10';
import { createLogger } from '../../src/shared/logger.js';
import type { GreetingRequest, GreetingStage } from '../../src/shared/services/voice-greeting.js';
import { VoiceGatewayBridge } from '../../src/voice/adapter.js';
import { createSpeaker } from '../../src/voice/speaker.js';
import type { Speech } from '../../src/voice/speech.js';

const BOT = '910000000000000001';
const GUILD = '910000000000000002';
const CHANNEL = '910000000000000003';

const request: GreetingRequest = {
  guildId: GUILD,
  channelId: CHANNEL,
  userId: '910000000000000004',
  facts: { name: 'Alice', zone: 'UTC', date: '2026-11-23', at: Date.parse('2026-11-23T19:00:00Z'), comers: [{ name: 'Bob', slotStart: Date.parse('2026-11-23T21:00:00Z') }] },
  voice: null,
  speed: null,
};

/** A bridge whose shard is a list; `answer` plays Discord's reply to a join (the bot's state + a voice server). */
function setup() {
  const sent: GatewayVoiceStateUpdate[] = [];
  const bridge = new VoiceGatewayBridge({ send: (p) => void sent.push(p), connected: () => true, log: createLogger('silent') });
  bridge.onDispatch({ t: 'READY', d: { user: { id: BOT } } } as unknown as GatewayDispatchPayload);
  const answer = () => {
    bridge.onDispatch({ t: 'VOICE_STATE_UPDATE', d: { guild_id: GUILD, channel_id: CHANNEL, user_id: BOT, session_id: 's', self_deaf: true, self_mute: false } } as unknown as GatewayDispatchPayload);
    // Nothing listens there: the voice WebSocket fails at once, as it does against the emulator.
    bridge.onDispatch({ t: 'VOICE_SERVER_UPDATE', d: { token: 't', guild_id: GUILD, endpoint: '127.0.0.1:9/voice' } } as unknown as GatewayDispatchPayload);
  };
  return { sent, bridge, answer };
}

/** A synthesis that never produces anything until killed, recording that it was. */
function silentSpeech(): Speech & { killed: boolean } {
  const speech = { stream: new PassThrough(), killed: false, kill: () => (speech.killed = true), closed: Promise.resolve() };
  return speech;
}

const leaveOp = { op: 4, d: { guild_id: GUILD, channel_id: null, self_deaf: true, self_mute: false } };

describe('the speaker always leaves', () => {
  it('when the voice connection never becomes ready: gives up at the timeout, stops the synthesis, leaves', async () => {
    const { sent, bridge } = setup();
    const speech = silentSpeech();
    const stages: GreetingStage[] = [];
    const speaker = createSpeaker({ bridge, log: createLogger('silent'), group: 'speaker-1', readyTimeoutMs: 200, synth: () => speech });
    const started = Date.now();
    await expect(speaker.speak(request, new AbortController().signal, (s) => stages.push(s))).rejects.toThrow('the voice connection was not ready after 200 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(stages).toEqual(['joining']);
    expect(sent).toEqual([{ op: 4, d: { guild_id: GUILD, channel_id: CHANNEL, self_deaf: true, self_mute: false } }, leaveOp]);
    expect(speech.killed).toBe(true);
  });

  it('when the voice server cannot be reached: fails with the connection error, without rejoining', async () => {
    const { sent, bridge, answer } = setup();
    const speech = silentSpeech();
    const stages: GreetingStage[] = [];
    const speaker = createSpeaker({ bridge, log: createLogger('silent'), group: 'speaker-2', readyTimeoutMs: 5_000, synth: () => speech });
    const speaking = speaker.speak(request, new AbortController().signal, (s) => stages.push(s));
    answer();
    await expect(speaking).rejects.toThrow();
    expect(stages).toEqual(['joining', 'connecting']);
    expect(sent.map((p) => p.d.channel_id)).toEqual([CHANNEL, null]);
    expect(speech.killed).toBe(true);
  });

  it('when the synthesis fails: leaves with that error', async () => {
    const { sent, bridge } = setup();
    const speech = silentSpeech();
    const speaker = createSpeaker({ bridge, log: createLogger('silent'), group: 'speaker-3', readyTimeoutMs: 5_000, synth: () => speech });
    const speaking = speaker.speak(request, new AbortController().signal, () => undefined);
    speech.stream.destroy(new Error('eSpeak NG has no voice "xx"'));
    await expect(speaking).rejects.toThrow('eSpeak NG has no voice "xx"');
    expect(sent.at(-1)).toEqual(leaveOp);
  });

  it('when told to stop (someone joined): leaves at once with that reason', async () => {
    const { sent, bridge } = setup();
    const speaker = createSpeaker({ bridge, log: createLogger('silent'), group: 'speaker-4', readyTimeoutMs: 5_000, synth: silentSpeech });
    const controller = new AbortController();
    const speaking = speaker.speak(request, controller.signal, () => undefined);
    controller.abort(new Error('someone else joined'));
    await expect(speaking).rejects.toThrow('someone else joined');
    expect(sent.at(-1)).toEqual(leaveOp);
  });
});
