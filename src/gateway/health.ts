import { WebSocketShardEvents } from '@discordjs/ws';
import type { Clock } from '../shared/clock.js';
import { metrics } from '../shared/metrics.js';
import type { GatewayShard, GatewayStatus } from './shard.js';

/** What `/healthz`, `/readyz`, `/metrics` and `npm run admin status` show about the gateway. */
export interface GatewayHealth extends GatewayStatus {
  /** False between a socket close and the next READY/RESUMED, whatever `state` last said. */
  connected: boolean;
  /** Unix ms of the last heartbeat ACK: proof the socket is alive even when the guild is quiet. */
  lastHeartbeatAt: number | null;
  /** Round trip of the last heartbeat, ms. */
  latencyMs: number | null;
  /** Reconnections after the first session (resumes plus new sessions). */
  reconnects: number;
  /** Unix ms of the READY/RESUMED that began the current connection; null while disconnected. */
  connectedAt: number | null;
  /** Unix ms of the last socket close; null while connected and before the first close. */
  disconnectedAt: number | null;
  /**
   * True once a READY (or RESUMED) arrived since this process started: what a deploy waits for, as
   * `/healthz` answers 200 during its grace period whether the gateway ever connects or not.
   */
  readyOnce: boolean;
}

/**
 * Watches the shard's socket events (not only dispatches) so health can tell a quiet evening from
 * a dead connection: Discord ACKs a heartbeat about every 41 s, dispatches may not come for hours.
 * Also counts reconnects and closes into `/metrics`.
 * @see https://discord.com/developers/docs/events/gateway#sending-heartbeats
 */
export function trackGatewayHealth(shard: GatewayShard, clock: Clock): () => GatewayHealth {
  let connected = false;
  let lastHeartbeatAt: number | null = null;
  let latencyMs: number | null = null;
  let reconnects = 0;
  let sessionsSeen = 0;
  let connectedAt: number | null = null;
  let disconnectedAt: number | null = null;
  let readyOnce = false;
  const up = () => {
    connected = true;
    readyOnce = true;
    connectedAt = clock.now();
    disconnectedAt = null;
  };
  const manager = shard.manager;
  manager.on(WebSocketShardEvents.Ready, () => {
    up();
    sessionsSeen += 1;
    if (sessionsSeen > 1) {
      reconnects += 1;
      metrics.gatewayReconnects.inc({ kind: 'new_session' });
    }
  });
  manager.on(WebSocketShardEvents.Resumed, () => {
    up();
    reconnects += 1;
    metrics.gatewayReconnects.inc({ kind: 'resume' });
  });
  manager.on(WebSocketShardEvents.Closed, (code) => {
    if (connected || disconnectedAt === null) disconnectedAt = clock.now();
    connected = false;
    connectedAt = null;
    metrics.gatewayCloses.inc({ code: String(code) });
  });
  manager.on(WebSocketShardEvents.HeartbeatComplete, (stats) => {
    lastHeartbeatAt = clock.now();
    latencyMs = stats.latency;
  });
  return () => {
    const live = connected && (shard.status.state === 'ready' || shard.status.state === 'resumed');
    return { ...shard.status, connected: live, lastHeartbeatAt, latencyMs, reconnects, connectedAt: live ? connectedAt : null, disconnectedAt, readyOnce };
  };
}
