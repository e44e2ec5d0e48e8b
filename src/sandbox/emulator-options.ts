import type { FixtureInput } from './fixture.js';
import type { GuildScale } from './state/scale.js';
import type { EncryptionMode } from './voice/transport-crypto.js';
import type { ShardingOptions } from './ws-gateway/sharding.js';

export interface EmulatorOptions {
  /** Port on 127.0.0.1 (default 0: a free one). */
  port?: number;
  /** Where interactions are POSTed (the bot's `/interactions`); can be set later. */
  interactionsUrl?: string;
  /** Enforce rate limits and send their headers (default true). */
  rateLimits?: boolean;
  /** Multiplies every rate-limit window (default 1; 0.1 for fast tests of limit handling). */
  rateLimitWindowScale?: number;
  /**
   * Where rate-limit windows read the time (default the wall clock): a test whose bot spends its
   * budget on a timer it moves gives the same timer, so both sides count one time.
   */
  rateLimitClock?: () => number;
  /** HELLO's heartbeat_interval (default 41250 ms, like Discord). */
  heartbeatIntervalMs?: number;
  /** Privileged intents enabled for the app (bits of GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT; default none). */
  privilegedIntents?: number;
  /** Replace parts of the default fixture. */
  fixture?: Partial<FixtureInput>;
  /**
   * Big guilds (benchmarks): the fixture guild grown to this many members and channels, some of its
   * members in voice, and further generated guilds of the same size. See `state/scale.ts`.
   */
  scale?: GuildScale;
  /** The transport encryption modes the voice server offers, in order (default both, AES-GCM first). */
  voiceModes?: readonly EncryptionMode[];
  /** The voice gateway's Hello heartbeat_interval (default 13 750 ms). */
  voiceHeartbeatIntervalMs?: number;
  /** Print every wire event to stdout. */
  logRequests?: boolean;
  /** How long the bot has to answer an interaction over HTTP (default 3000 ms). */
  interactionTimeoutMs?: number;
  /** How long the callback endpoint accepts the initial response (default 3000 ms). */
  interactionCallbackWindowMs?: number;
  /** How long interaction tokens work for follow-ups and edits (default 15 min). */
  interactionTokenTtlMs?: number;
  /**
   * Sharding as Discord enforces it (`ws-gateway/sharding.ts`): the guilds one session may hold
   * before IDENTIFY is closed with 4011 (default 2 500), `GET /gateway/bot`'s recommended `shards`
   * and the day's session starts.
   */
  sharding?: ShardingOptions;
  /** How long a disconnected gateway session can be resumed (default 5 min). */
  sessionTtlMs?: number;
  /**
   * The emulator's calendar: message timestamps and snowflake ids (default `Date.now`). The sandbox
   * passes the bot's movable clock so "tomorrow's" message looks like tomorrow's. Rate limits,
   * interaction windows and tokens always use real time. Must never go backwards.
   */
  now?: () => number;
}

export interface RunOptions {
  /** Channel the interaction happens in (default: the fixture's #tonight, else the first text channel). */
  channelId?: string;
}

export interface VoiceFlags {
  selfMute?: boolean;
  selfDeaf?: boolean;
}
