import {
  AudioPlayerStatus,
  createAudioPlayer,
  createAudioResource,
  entersState,
  joinVoiceChannel,
  NoSubscriberBehavior,
  StreamType,
  VoiceConnectionStatus,
  type AudioPlayer,
  type VoiceConnection,
} from '@discordjs/voice';
import type { Logger } from '../shared/logger.js';
import type { GreetingSpeaker } from '../shared/services/voice-greeting.js';
import type { VoiceGatewayBridge } from './adapter.js';
import { greetingSentence } from './sentence.js';
import { DEFAULT_VOICE, synthesize, type Speech, type Voice } from './speech.js';

export interface SpeakerOptions {
  bridge: VoiceGatewayBridge;
  log: Logger;
  /** The @discordjs/voice connection group: one per bot, so two bots in one process never share a connection. */
  group: string;
  /** Give up when the voice connection is not ready after this long. Default 10 s. */
  readyTimeoutMs?: number;
  /** Stop speaking after this long, whatever is left. Default 45 s. */
  maxSpeechMs?: number;
  /** Text → Opus packets; eSpeak NG (WebAssembly) + opusscript in a worker thread by default. */
  synth?: (text: string, voice: Voice) => Speech;
}

/**
 * The voice side of the greeting: joins the channel self-deafened, speaks the sentence, leaves.
 * Synthesis starts at once, beside the connection, so the audio is ready when the connection is.
 * Every way out (done, someone joined, timeout, connection or synthesis error) goes through one
 * `finally` that stops the audio, stops the synthesis and leaves the channel (op 4, no channel).
 * @see https://discord.com/developers/docs/topics/voice-connections
 */
export function createSpeaker(options: SpeakerOptions): GreetingSpeaker {
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const maxSpeechMs = options.maxSpeechMs ?? 45_000;
  const synth = options.synth ?? ((text, voice) => synthesize(text, { ...voice, timeoutMs: 15_000 }));
  return {
    async speak(request, signal, reached) {
      const stop = new AbortController();
      const fail = (error: unknown) => {
        if (!stop.signal.aborted) stop.abort(error);
      };
      if (signal.aborted) throw signal.reason;
      signal.addEventListener('abort', () => fail(signal.reason), { once: true });

      const speech = synth(greetingSentence(request.facts), {
        voice: request.voice ?? DEFAULT_VOICE.voice,
        speed: request.speed ?? DEFAULT_VOICE.speed,
      });
      speech.stream.on('error', (error) => fail(error));
      const connection = joinVoiceChannel({
        guildId: request.guildId,
        channelId: request.channelId,
        adapterCreator: options.bridge.adapterCreator(request.guildId, { mayJoin: () => !stop.signal.aborted }),
        selfDeaf: true,
        selfMute: false,
        group: options.group,
      });
      reached('joining');
      let playing = false;
      // Stays attached after the greeting: a late error of a destroyed connection must not go unhandled.
      connection.on('error', (error) => fail(error));
      connection.on('stateChange', (previous, next) => {
        // A resume while speaking is not a stage reached: the outcome keeps 'speaking'.
        if (next.status === VoiceConnectionStatus.Connecting && !playing) reached('connecting');
        // Connecting → Signalling is @discordjs/voice about to rejoin after the voice server closed on
        // it; this runs before it sends that op 4, so giving up here means the join is never sent.
        if (previous.status === VoiceConnectionStatus.Connecting && next.status === VoiceConnectionStatus.Signalling) {
          fail(new Error('the voice server closed the connection'));
        }
        // Destroyed from outside (a new gateway session replaced the one it was signalled through):
        // nothing more will come, so stop at once rather than at the ready timeout.
        if (next.status === VoiceConnectionStatus.Destroyed) fail(new Error('the voice connection was destroyed'));
        // Ready lost mid-sentence (the voice server dropped): the player stops at once with no
        // subscriber, which would look like the sentence ending; it was cut short, so it failed.
        if (playing && previous.status === VoiceConnectionStatus.Ready && next.status !== VoiceConnectionStatus.Ready) fail(new Error('the voice connection dropped while speaking'));
      });

      let player: AudioPlayer | undefined;
      try {
        await waitFor(
          () => entersState(connection, VoiceConnectionStatus.Ready, AbortSignal.any([stop.signal, AbortSignal.timeout(readyTimeoutMs)])),
          stop.signal,
          `the voice connection was not ready after ${readyTimeoutMs} ms`,
        );
        reached('ready');
        player = createAudioPlayer({ behaviors: { noSubscriber: NoSubscriberBehavior.Stop } });
        player.on('error', (error) => fail(error));
        connection.subscribe(player);
        player.play(createAudioResource(speech.stream, { inputType: StreamType.Opus }));
        playing = true;
        reached('speaking');
        const started = player;
        await waitFor(() => entersState(started, AudioPlayerStatus.Idle, AbortSignal.any([stop.signal, AbortSignal.timeout(maxSpeechMs)])), stop.signal, `still speaking after ${maxSpeechMs} ms`);
        if (stop.signal.aborted) throw stop.signal.reason;
      } finally {
        playing = false;
        player?.stop(true);
        speech.kill();
        leave(connection, options, request.guildId);
      }
    },
  };
}

/** Awaits `wait()`; a rejection becomes the reason `stop` was aborted with, or `timeout` when time ran out. */
async function waitFor(wait: () => Promise<unknown>, stop: AbortSignal, timeout: string): Promise<void> {
  try {
    await wait();
  } catch (error) {
    if (stop.aborted) throw stop.reason;
    if (error instanceof Error && error.name === 'AbortError' && error.cause instanceof Error && error.cause.name === 'TimeoutError') throw new Error(timeout);
    if (error instanceof Error && error.name === 'TimeoutError') throw new Error(timeout);
    throw error;
  }
}

/** Leaves through the connection (it sends op 4 with no channel); if that throws, sends op 4 itself. */
function leave(connection: VoiceConnection, options: SpeakerOptions, guildId: string): void {
  try {
    if (connection.state.status !== VoiceConnectionStatus.Destroyed) connection.destroy();
    return;
  } catch (error) {
    options.log.warn({ err: error, guildId }, 'voice: the connection could not be destroyed; leaving through the gateway');
  }
  options.bridge.leave(guildId);
}
