import { onStorageRecovered, reportStorageFailure } from '../shared/errors.js';
import type { REST } from '@discordjs/rest';
import { SimpleIdentifyThrottler, WebSocketManager, WebSocketShardEvents, type IIdentifyThrottler, type SessionInfo } from '@discordjs/ws';
import { GatewayDispatchEvents, GatewayIntentBits, type GatewayDispatchPayload } from 'discord-api-types/v10';
import type { Clock } from '../shared/clock.js';
import { GatewayConnection } from '../shared/gateway-connection.js';
import type { Logger } from '../shared/logger.js';
import { shardOf, type ShardPlan } from '../shared/shards.js';
import { SessionStartGate } from './session-starts.js';
import { StoppableShardingStrategy } from './stoppable-shards.js';

/**
 * Exactly the intents rollcall needs, none privileged: guilds (channels, roles, AFK channel and
 * the voice states in GUILD_CREATE), reactions on the daily message, and voice states.
 * @see https://discord.com/developers/docs/events/gateway#gateway-intents
 */
export const INTENTS = GatewayIntentBits.Guilds | GatewayIntentBits.GuildMessageReactions | GatewayIntentBits.GuildVoiceStates;

export type DispatchHandler = (payload: GatewayDispatchPayload) => void | Promise<void>;

export interface ShardHooks {
  /** Every dispatch, in order. Errors are logged, never thrown back into the socket loop. */
  dispatch: DispatchHandler;
  /**
   * INTERACTION_CREATE's interaction, at once and outside the in-order queue (a member is waiting
   * for the answer; see GatewayInteractions). Must not throw.
   */
  interaction?: (interaction: unknown) => void;
  /** A fresh session (IDENTIFY → READY): events may have been missed, so state must be re-read. */
  /**
   * The repairs a new session needs (events were missed). Answering false means they could not all
   * be done (Discord failing for now): the shard runs them again, in order with the dispatches, after
   * a growing delay, until they succeed or another new session starts them afresh.
   */
  onFreshSession?: () => void | boolean | Promise<void | boolean>;
}

/** The first retry of unfinished fresh-session repairs, doubling up to the cap. */
export const REPAIR_RETRY_FIRST_MS = 1_000;
export const REPAIR_RETRY_MAX_MS = 5 * 60_000;

export interface ShardOptions {
  token: string;
  rest: REST;
  log: Logger;
  clock: Clock;
  hooks: ShardHooks;
  /** Tests and the sandbox pass a no-op; Discord's max_concurrency throttle otherwise. */
  identifyThrottler?: IIdentifyThrottler;
  /** `SHARD_COUNT` / `SHARD_IDS` (default: every shard Discord recommends). */
  shards?: ShardPlan;
}

/**
 * The gateway sidecar: the @discordjs/ws shards this process runs (`SHARD_IDS` of `SHARD_COUNT`;
 * one when unsharded), whose dispatches become service calls. Dispatches of all its shards go
 * through one in-order queue: events of one guild come on one shard, in order, and the handlers
 * serialise per guild anyway.
 * @see https://discord.com/developers/docs/events/gateway#sharding
 */
export class GatewayShard {
  readonly manager: WebSocketManager;
  /** The one model of this shard's connection: health, readiness, metrics and voice read it. */
  readonly connection: GatewayConnection;
  /** Dispatches are handled one at a time, in gateway order: an add then a remove must land in that order. */
  private queue: Promise<void> = Promise.resolve();
  /** Bumped by every READY: a retry of an older session's repairs is dropped. */
  private freshSession = 0;
  private repairTimer: NodeJS.Timeout | undefined;
  /** SHARD_COUNT, or Discord's recommendation once asked for. */
  private shardCount: number;
  /** Keeps every IDENTIFY within Discord's session start limit. */
  private readonly starts: SessionStartGate;
  /** Session id, sequence and resume URL of each shard, for RESUME. */
  private readonly sessions = new Map<number, SessionInfo>();
  /** Ends a wait for the session start limit when the process stops. */
  private readonly stopping = new AbortController();
  /** Events that arrived while the database could not be written were lost: re-read once it can. */
  private readonly stopWatchingStorage = onStorageRecovered(() => {
    if (this.connection.connected) this.repairs(this.freshSession, 0);
  });

  constructor(private readonly options: ShardOptions) {
    const throttler = options.identifyThrottler;
    this.shardCount = options.shards?.count ?? 1;
    this.manager = new WebSocketManager({
      token: options.token,
      intents: INTENTS,
      rest: options.rest,
      compression: null,
      shardCount: options.shards?.count ?? null,
      shardIds: options.shards?.ids ? [...options.shards.ids] : null,
      // Shards that stay stopped once destroyed (see the strategy for the half second they did not).
      buildStrategy: (manager) => new StoppableShardingStrategy(manager),
      // This gateway's own sessions: @discordjs/ws keeps one store per process, by shard id, so a
      // second gateway in the process (tests, two apps side by side) would resume this one's session.
      retrieveSessionInfo: (shardId) => this.sessions.get(shardId) ?? null,
      updateSessionInfo: (shardId, info) => {
        if (info) this.sessions.set(shardId, info);
        else this.sessions.delete(shardId);
      },
      // Every IDENTIFY (the first and any after a lost session) asks the session start gate too.
      buildIdentifyThrottler: async (manager) => this.starts.throttler(throttler ?? new SimpleIdentifyThrottler((await manager.fetchGatewayInformation()).session_start_limit.max_concurrency)),
    });
    const log = options.log;
    const connection = (this.connection = new GatewayConnection(options.clock));
    this.starts = new SessionStartGate({
      limit: async () => (await this.manager.fetchGatewayInformation(true)).session_start_limit,
      connection,
      log,
      clock: options.clock,
    });
    // A fresh session of any shard repairs every guild of the process: simpler than tracking
    // which guild is on which shard here, and a READY is rare.
    this.manager.on(WebSocketShardEvents.Ready, (_data, shardId) => {
      connection.ready(shardId);
      log.info({ sessions: connection.sessions, shard: shardId }, 'gateway ready (new session)');
      this.repairs(++this.freshSession, 0);
    });
    this.manager.on(WebSocketShardEvents.Resumed, (shardId) => {
      connection.resumed(shardId);
      log.info({ shard: shardId }, 'gateway resumed');
    });
    this.manager.on(WebSocketShardEvents.Closed, (code, shardId) => {
      connection.closed(code, shardId);
      log.warn({ code, shard: shardId }, 'gateway closed');
    });
    this.manager.on(WebSocketShardEvents.HeartbeatComplete, (stats, shardId) => connection.heartbeatAcked(stats.latency, shardId));
    this.manager.on(WebSocketShardEvents.Error, (error) => log.error({ err: error }, 'gateway error'));
    this.manager.on(WebSocketShardEvents.Dispatch, (payload, shardId) => {
      connection.dispatched(shardId);
      if (payload.t === GatewayDispatchEvents.InteractionCreate && options.hooks.interaction) return options.hooks.interaction(payload.d);
      this.enqueue(payload.t, () => options.hooks.dispatch(payload));
    });
  }

  async connect(): Promise<void> {
    // The shards this process runs (asks GET /gateway/bot for the count when SHARD_COUNT is unset).
    const ids = await this.manager.getShardIds();
    this.shardCount = await this.manager.getShardCount();
    this.connection.connecting(ids);
    // @discordjs/ws throws when fewer session starts are left than shards to start: wait instead.
    await this.starts.until(ids, this.stopping.signal);
    await this.manager.connect();
  }

  /** The shard a guild's events come on, and op 4 for it must go out on (known once {@link connect} began). */
  shardFor(guildId: string): number {
    return shardOf(guildId, this.shardCount);
  }

  async destroy(): Promise<void> {
    this.connection.shutDown();
    this.stopping.abort();
    clearTimeout(this.repairTimer);
    this.stopWatchingStorage();
    this.freshSession += 1;
    await this.manager.destroy();
  }

  /** Resolves once every dispatch received so far has been handled (tests, shutdown). */
  async idle(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.queue) {
      seen = this.queue;
      await seen;
    }
  }

  /** Queues the fresh-session repairs; if they report unfinished work, queues them again later (1 s, 2 s … 5 min). */
  private repairs(session: number, attempt: number): void {
    clearTimeout(this.repairTimer);
    this.enqueue(attempt === 0 ? 'fresh session' : 'fresh session (retry)', async () => {
      if (session !== this.freshSession) return;
      const complete = await this.options.hooks.onFreshSession?.();
      if (complete !== false || session !== this.freshSession) return;
      const delayMs = Math.min(REPAIR_RETRY_MAX_MS, REPAIR_RETRY_FIRST_MS * 2 ** attempt);
      this.options.log.warn({ attempt: attempt + 1, retryInMs: delayMs }, 'repairs after a new session unfinished; trying again');
      this.repairTimer = setTimeout(() => this.repairs(session, attempt + 1), delayMs);
      this.repairTimer.unref();
    });
  }

  private enqueue(what: string, fn: () => unknown): void {
    this.queue = this.queue.then(() => this.safely(what, fn));
  }

  private async safely(what: string, fn: () => unknown): Promise<void> {
    try {
      await fn();
    } catch (error) {
      if (!reportStorageFailure(this.options.log, error, `gateway ${what}`)) this.options.log.error({ err: error, event: what }, 'gateway handler failed');
    }
  }
}
