import type { Clock } from './clock.js';
import { metrics } from './metrics.js';

/**
 * `starting`: the process has not opened the shard yet; `reconnecting`: the socket closed and the
 * shard is resuming or identifying again; `waiting`: it holds its IDENTIFY until Discord's session
 * start limit resets (src/gateway/session-starts.ts); `closed`: our own shutdown.
 */
export type GatewayState = 'starting' | 'connecting' | 'waiting' | 'ready' | 'resumed' | 'reconnecting' | 'closed';

/** One shard as `/healthz`, `/readyz`, `/metrics` and `npm run admin status` show it. */
export interface ShardView {
  id: number;
  state: GatewayState;
  /** Unix ms of the shard's last change of state. */
  since: number;
  /** Unix ms of the shard's last dispatch or heartbeat ACK; null before any. */
  lastHeardAt: number | null;
  /** Round trip of the shard's last heartbeat, ms. */
  latencyMs: number | null;
  /** Why the shard waits (state `waiting` only), one sentence. */
  reason?: string;
  /** Unix ms when the wait ends (state `waiting` only). */
  until?: number;
}

/** What `/healthz`, `/readyz`, `/metrics` and `npm run admin status` show about the gateway. */
export interface GatewayView {
  state: GatewayState;
  /**
   * Every shard this process runs is READY or RESUMED and not closed since: the one definition of
   * "connected". A process with one shard of two down is not connected (its guilds miss events).
   */
  connected: boolean;
  /** Each shard this process runs, and its own state (one entry, shard 0, when unsharded). */
  shards: ShardView[];
  /** New sessions (IDENTIFY → READY) since the process started. */
  sessions: number;
  resumes: number;
  /** Reconnections after the first session (resumes plus new sessions). */
  reconnects: number;
  /** Unix ms of the last dispatch. */
  lastEventAt: number | null;
  /** Unix ms of the last heartbeat ACK: proof the socket is alive even when the guild is quiet. */
  lastHeartbeatAt: number | null;
  /** Round trip of the last heartbeat, ms. */
  latencyMs: number | null;
  /** Unix ms of the READY/RESUMED that began the current connection; null while disconnected. */
  connectedAt: number | null;
  /** Unix ms of the last unplanned close; null while connected and before the first close. */
  disconnectedAt: number | null;
  /**
   * True once a READY (or RESUMED) arrived since this process started: what a deploy waits for, as
   * `/healthz` answers 200 during its grace period whether the gateway ever connects or not.
   */
  readyOnce: boolean;
}

/** Told when the connection proves alive (`back`: after an unplanned close) or is lost. */
export interface GatewayConnectionListener {
  /** A dispatch or heartbeat ACK of a live session; `back` once after each unplanned close. */
  alive?(at: number, back: boolean): void;
  /** An unplanned close; `lastAliveAt` is the last moment the session was known alive, if ever. */
  lost?(lastAliveAt: number | undefined): void;
}

/**
 * The one model of the gateway connection. The shard feeds it socket events (not only dispatches,
 * so a quiet evening is told from a dead socket: Discord ACKs a heartbeat about every 41 s while
 * dispatches may not come for hours); health, readiness, metrics, voice tracking and the voice
 * adapter read it. It knows nothing of WebSockets, so it lives in shared and tests drive it directly.
 *
 * With several shards in one process (`SHARD_IDS`), each has its own state; the process is
 * connected when all of them are, since when the last one came up, and down from any shard's
 * unplanned close until all are back. That is the cautious reading for voice tracking: a crash
 * during one shard's outage closes every stay of the process at the outage's start, some of them
 * earlier than needed, never later. The voice adapter asks {@link shardConnected} for the guild's shard.
 * @see https://discord.com/developers/docs/events/gateway#connection-lifecycle
 * @see https://discord.com/developers/docs/events/gateway#sharding
 */
export class GatewayConnection {
  private current: GatewayState = 'starting';
  /** Each shard's own state; the process-wide one is derived from them ({@link derive}). */
  private readonly perShard = new Map<number, ShardView>();
  private counts = { sessions: 0, resumes: 0 };
  private times = {
    lastEventAt: null as number | null,
    lastHeartbeatAt: null as number | null,
    latencyMs: null as number | null,
    connectedAt: null as number | null,
    disconnectedAt: null as number | null,
  };
  /** The last dispatch or heartbeat ACK while connected. */
  private aliveAt: number | undefined;
  /** An unplanned close happened and no sign of life came since. */
  private isDown = false;
  private readonly listeners: GatewayConnectionListener[] = [];

  constructor(private readonly clock: Clock) {
    this.perShard.set(0, this.fresh(0, 'starting'));
  }

  get state(): GatewayState {
    return this.current;
  }

  get connected(): boolean {
    return this.current === 'ready' || this.current === 'resumed';
  }

  get sessions(): number {
    return this.counts.sessions;
  }

  /** Down after an unplanned close, until the session shows life again. */
  get down(): boolean {
    return this.isDown;
  }

  /** The last moment a live session was heard from (a dispatch or heartbeat ACK). */
  get lastAliveAt(): number | undefined {
    return this.aliveAt;
  }

  listen(listener: GatewayConnectionListener): void {
    this.listeners.push(listener);
  }

  /** The shards open (default just shard 0, as for an unsharded bot). */
  connecting(shardIds: readonly number[] = [0]): void {
    this.perShard.clear();
    for (const id of shardIds) this.perShard.set(id, this.fresh(id, 'connecting'));
    this.current = 'connecting';
  }

  /**
   * Shards hold their IDENTIFY until `until` (unix ms): Discord's session start limit is used up.
   * Not an outage by itself (a shard that was up is already `reconnecting`, or never was up).
   */
  waiting(shardIds: readonly number[], reason: string, until: number): void {
    if (this.current === 'closed') return;
    for (const id of shardIds) this.setShard(id, 'waiting', { reason, until });
    this.current = this.derive();
  }

  /** Whether one shard can send now (ready or resumed): op 4 goes out on the guild's shard. */
  shardConnected(shardId: number): boolean {
    const state = this.perShard.get(shardId)?.state;
    return this.current !== 'closed' && (state === 'ready' || state === 'resumed');
  }

  ready(shardId = 0): void {
    this.counts.sessions += 1;
    if (this.counts.sessions > this.perShard.size) metrics.gatewayReconnects.inc({ kind: 'new_session' });
    this.up(shardId, 'ready');
  }

  resumed(shardId = 0): void {
    this.counts.resumes += 1;
    metrics.gatewayReconnects.inc({ kind: 'resume' });
    this.up(shardId, 'resumed');
  }

  dispatched(shardId = 0): void {
    this.times.lastEventAt = this.clock.now();
    this.heard(shardId, this.times.lastEventAt);
    this.alive(this.times.lastEventAt);
  }

  heartbeatAcked(latencyMs: number, shardId = 0): void {
    this.times.lastHeartbeatAt = this.clock.now();
    this.times.latencyMs = latencyMs;
    const shard = this.heard(shardId, this.times.lastHeartbeatAt);
    if (shard) shard.latencyMs = latencyMs;
    this.alive(this.times.lastHeartbeatAt);
  }

  /** A shard's socket closed: an outage, unless {@link shutDown} came first. */
  closed(code: number, shardId = 0): void {
    metrics.gatewayCloses.inc({ code: String(code) });
    if (this.current === 'closed') return;
    if (this.connected || this.times.disconnectedAt === null) this.times.disconnectedAt = this.clock.now();
    this.setShard(shardId, 'reconnecting');
    this.current = this.derive();
    this.times.connectedAt = null;
    this.isDown = true;
    for (const l of this.listeners) l.lost?.(this.aliveAt);
  }

  /** Our own shutdown: the close that follows is no outage. */
  shutDown(): void {
    this.current = 'closed';
    this.times.connectedAt = null;
  }

  view(): GatewayView {
    return {
      state: this.current,
      connected: this.connected,
      shards: [...this.perShard.values()].map((shard) => (this.current === 'closed' ? { ...shard, state: 'closed' } : { ...shard })),
      ...this.counts,
      reconnects: Math.max(0, this.counts.sessions - 1) + this.counts.resumes,
      ...this.times,
      readyOnce: this.counts.sessions + this.counts.resumes > 0,
    };
  }

  private up(shardId: number, state: 'ready' | 'resumed'): void {
    this.setShard(shardId, state);
    const was = this.connected;
    this.current = this.derive();
    if (!this.connected) return;
    if (!was || this.perShard.size === 1) this.times.connectedAt = this.clock.now();
    this.times.disconnectedAt = null;
  }

  /** The process-wide state: connected when every shard is; else the least advanced shard's. */
  private derive(): GatewayState {
    const states = [...this.perShard.values()].map((shard) => shard.state);
    if (states.every((s) => s === 'ready' || s === 'resumed')) return states.includes('resumed') ? 'resumed' : 'ready';
    for (const s of ['waiting', 'reconnecting', 'connecting', 'starting'] as const) if (states.includes(s)) return s;
    return this.current;
  }

  private fresh(id: number, state: GatewayState): ShardView {
    return { id, state, since: this.clock.now(), lastHeardAt: null, latencyMs: null };
  }

  /** A shard's new state, since now; a wait's reason and end are kept only while it waits. */
  private setShard(shardId: number, state: GatewayState, wait?: { reason: string; until: number }): void {
    const shard = this.perShard.get(shardId) ?? this.fresh(shardId, state);
    const { reason: _reason, until: _until, ...rest } = shard;
    const changed = shard.state !== state || shard.until !== wait?.until;
    this.perShard.set(shardId, { ...rest, state, since: changed ? this.clock.now() : shard.since, ...(wait ?? {}) });
  }

  private heard(shardId: number, at: number): ShardView | undefined {
    const shard = this.perShard.get(shardId);
    if (shard) shard.lastHeardAt = at;
    return shard;
  }

  private alive(at: number): void {
    if (!this.connected) return;
    const back = this.isDown;
    this.isDown = false;
    this.aliveAt = at;
    for (const l of this.listeners) l.alive?.(at, back);
  }
}

/** The last sign of life, dispatch or heartbeat ACK (unix ms), or null before any. */
export function lastHeardAt(view: Pick<GatewayView, 'lastEventAt' | 'lastHeartbeatAt'>): number | null {
  const last = Math.max(view.lastEventAt ?? -Infinity, view.lastHeartbeatAt ?? -Infinity);
  return last === -Infinity ? null : last;
}
