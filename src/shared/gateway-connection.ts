import type { Clock } from './clock.js';
import { metrics } from './metrics.js';

/**
 * `starting`: the process has not opened the shard yet; `reconnecting`: the socket closed and the
 * shard is resuming or identifying again; `closed`: our own shutdown.
 */
export type GatewayState = 'starting' | 'connecting' | 'ready' | 'resumed' | 'reconnecting' | 'closed';

/** What `/healthz`, `/readyz`, `/metrics` and `npm run admin status` show about the gateway. */
export interface GatewayView {
  state: GatewayState;
  /** READY or RESUMED and not closed since: the one definition of "connected". */
  connected: boolean;
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
 * @see https://discord.com/developers/docs/events/gateway#connection-lifecycle
 */
export class GatewayConnection {
  private current: GatewayState = 'starting';
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

  constructor(private readonly clock: Clock) {}

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

  connecting(): void {
    this.current = 'connecting';
  }

  ready(): void {
    this.counts.sessions += 1;
    if (this.counts.sessions > 1) metrics.gatewayReconnects.inc({ kind: 'new_session' });
    this.up('ready');
  }

  resumed(): void {
    this.counts.resumes += 1;
    metrics.gatewayReconnects.inc({ kind: 'resume' });
    this.up('resumed');
  }

  dispatched(): void {
    this.times.lastEventAt = this.clock.now();
    this.alive(this.times.lastEventAt);
  }

  heartbeatAcked(latencyMs: number): void {
    this.times.lastHeartbeatAt = this.clock.now();
    this.times.latencyMs = latencyMs;
    this.alive(this.times.lastHeartbeatAt);
  }

  /** The socket closed: an outage, unless {@link shutDown} came first. */
  closed(code: number): void {
    metrics.gatewayCloses.inc({ code: String(code) });
    if (this.current === 'closed') return;
    if (this.connected || this.times.disconnectedAt === null) this.times.disconnectedAt = this.clock.now();
    this.current = 'reconnecting';
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
      ...this.counts,
      reconnects: Math.max(0, this.counts.sessions - 1) + this.counts.resumes,
      ...this.times,
      readyOnce: this.counts.sessions + this.counts.resumes > 0,
    };
  }

  private up(state: 'ready' | 'resumed'): void {
    this.current = state;
    this.times.connectedAt = this.clock.now();
    this.times.disconnectedAt = null;
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
