import { randomUUID } from 'node:crypto';
import { WebSocketShardEvents } from '@discordjs/ws';
import type { App } from '../app.js';
import type { GatewayShard } from '../gateway/shard.js';
import { VoiceGatewayBridge } from './adapter.js';
import type { GreetingSpeaker } from '../shared/services/voice-greeting.js';
import type { SpeakerOptions } from './speaker.js';
import { speechInstalled, synthesize, type Voice } from './speech.js';

export interface VoiceGreetingWiring {
  bridge: VoiceGatewayBridge;
  /** Resolves once speech support is known and, when present, the speaker is attached. */
  ready: Promise<boolean>;
}

/**
 * Gives the greeting service its voice, in the gateway process: a bridge over `shard` (op 4 out,
 * the bot's voice events in) and a speaker. When speech is not installed (its npm packages are
 * missing), logs one line and attaches nothing: greetings never start, everything else runs.
 */
export function attachVoiceGreeting(
  app: Pick<App, 'log' | 'greeting'>,
  shard: Pick<GatewayShard, 'manager' | 'connection' | 'shardFor'>,
  options: Partial<Pick<SpeakerOptions, 'readyTimeoutMs' | 'maxSpeechMs'>> & {
    /** Where speech loads eSpeak NG from (tests point it at something missing); default its npm package. */
    engine?: string;
  } = {},
): VoiceGreetingWiring {
  const log = app.log.child({ part: 'voice-greeting' });
  const bridge = new VoiceGatewayBridge({
    // Op 4 must go out on the shard the guild is on (Discord ignores it on any other).
    send: (payload) => shard.manager.send(shard.shardFor(payload.d.guild_id), payload),
    connected: (guildId) => shard.connection.shardConnected(shard.shardFor(guildId)),
    log,
  });
  shard.manager.on(WebSocketShardEvents.Dispatch, (payload) => bridge.onDispatch(payload));
  // Registered after the shard's own listeners, so its status already says ready/resumed here.
  shard.manager.on(WebSocketShardEvents.Resumed, () => bridge.onResumed());
  // A shard's new session ends the voice connections of its guilds only.
  shard.manager.on(WebSocketShardEvents.Ready, (_data, shardId) => bridge.onNewSession((guildId) => shard.shardFor(guildId) === shardId));
  const { engine, ...speakerOptions } = options;
  // Installed is enough to attach: speaking a word here would cost every bot the probe's memory
  // (see speechInstalled); a package broken in place fails the first greeting, logged once.
  const ready = Promise.resolve(speechInstalled({ engine })).then(
    (support) => {
      if (!support.available) {
        log.warn(`voice greeting unavailable: ${support.reason}; everything else runs`);
        return false;
      }
      const synth = engine === undefined ? undefined : (text: string, voice: Voice) => synthesize(text, { ...voice, engine, timeoutMs: 15_000 });
      app.greeting.attach(lazySpeaker({ bridge, log, group: `rollcall-${randomUUID()}`, ...speakerOptions, ...(synth ? { synth } : {}) }));
      return true;
    },
    (error: unknown) => {
      log.warn({ err: error }, 'voice greeting unavailable: could not check whether speech works; everything else runs');
      return false;
    },
  );
  return { bridge, ready };
}

/**
 * The speaker, loaded on the first greeting: @discordjs/voice and its DAVE addon cost
 * the idle process several MB and only a guild that turned greetings on ever needs them.
 */
function lazySpeaker(options: SpeakerOptions): GreetingSpeaker {
  let speaker: Promise<GreetingSpeaker> | undefined;
  return {
    async speak(request, signal, reached) {
      speaker ??= import('./speaker.js').then((m) => m.createSpeaker(options));
      return (await speaker).speak(request, signal, reached);
    },
  };
}
