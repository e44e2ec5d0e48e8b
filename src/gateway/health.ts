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
  const manager = shard.manager;
  manager.on(WebSocketShardEvents.Ready, () => {
    connected = true;
    sessionsSeen += 1;
    if (sessionsSeen > 1) {
      reconnects += 1;
      metrics.gatewayReconnects.inc({ kind: 'new_session' });
    }
  });
  manager.on(WebSocketShardEvents.Resumed, () => {
    connected = true;
    reconnects += 1;
    metrics.gatewayReconnects.inc({ kind: 'resume' });
  });
  manager.on(WebSocketShardEvents.Closed, (code) => {
    connected = false;
    metrics.gatewayCloses.inc({ code: String(code) });
  });
  manager.on(WebSocketShardEvents.HeartbeatComplete, (stats) => {
    lastHeartbeatAt = clock.now();
    latencyMs = stats.latency;
  });
  return () => ({
    ...shard.status,
    connected: connected && (shard.status.state === 'ready' || shard.status.state === 'resumed'),
    lastHeartbeatAt,
    latencyMs,
    reconnects,
  });
}
