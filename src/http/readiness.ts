import { lastHeardAt, type ShardView } from '../shared/gateway-connection.js';
import type { RecordedGateway } from '../shared/services/heartbeat.js';

/**
 * What health and readiness judge of the gateway: a {@link GatewayView} from the one connection
 * model (src/shared/gateway-connection.ts), which alone decides what "connected" means.
 */
export interface GatewayLiveness {
  state: string;
  connected: boolean;
  lastEventAt: number | null;
  lastHeartbeatAt: number | null;
  /** Since when the current connection is up (unix ms). */
  connectedAt?: number | null;
  /** Since when it is down after an unplanned close (unix ms). */
  disconnectedAt?: number | null;
  /** Each shard of the process: which one is down, and why, is named in the reasons. */
  shards?: readonly ShardView[];
}

const isUp = (state: string) => state === 'ready' || state === 'resumed';

/**
 * `: shard 1 is reconnecting for 12 s; …` naming each shard that is not up, or nothing when the
 * process runs one shard and it simply is not up (the state says it all). A waiting shard is always
 * named with its reason, as an operator cannot guess it.
 */
export function downShards(gateway: Pick<GatewayLiveness, 'shards'>, now: number): string {
  const shards = gateway.shards ?? [];
  const down = shards.filter((s) => !isUp(s.state));
  if (down.length === 0 || (shards.length === 1 && down[0]!.state !== 'waiting')) return '';
  const one = (s: ShardView) =>
    s.state === 'waiting' && s.until !== undefined
      ? `shard ${s.id} is waiting: ${s.reason ?? 'no reason given'} (next IDENTIFY in ${Math.max(0, Math.ceil((s.until - now) / 1000))} s)`
      : `shard ${s.id} is ${s.state} for ${Math.max(0, Math.round((now - s.since) / 1000))} s`;
  return `: ${down.map(one).join('; ')}`;
}

/** Discord asks for a heartbeat about every 41 s; three missed beats means the socket is gone. */
export const READY_MAX_SILENCE_MS = 120_000;

export interface Readiness {
  ready: boolean;
  /** Why not, one short sentence each; empty when ready. */
  reasons: string[];
}

/**
 * Liveness (`/healthz`) says the process and database answer; readiness says the bot can also see
 * Discord: the gateway is connected and an event or heartbeat ACK arrived recently. A process
 * without a gateway (`npm run start:http`) is ready when its database is.
 */
export function readiness(input: { dbOk: boolean; gateway?: GatewayLiveness; now: number; maxSilenceMs?: number }): Readiness {
  const reasons: string[] = [];
  if (!input.dbOk) reasons.push('the database does not answer');
  const gateway = input.gateway;
  if (gateway) {
    if (!gateway.connected) reasons.push(`the gateway is not connected (state: ${gateway.state})${downShards(gateway, input.now)}`);
    const last = lastHeardAt(gateway);
    const limit = input.maxSilenceMs ?? READY_MAX_SILENCE_MS;
    if (last === null) reasons.push('no gateway event or heartbeat yet');
    else if (input.now - last > limit) {
      reasons.push(`no gateway event or heartbeat for ${Math.round((input.now - last) / 1000)} s (limit ${Math.round(limit / 1000)} s)`);
    }
  }
  return { ready: reasons.length === 0, reasons };
}

/** How long the gateway may be down (or not yet up) before `/healthz` answers 503. */
export const GATEWAY_GRACE_MS = 60_000;

/** `HEALTH_GATEWAY_GRACE_SECONDS` overrides {@link GATEWAY_GRACE_MS} (e.g. a test box with no Discord). */
export function gatewayGraceMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.HEALTH_GATEWAY_GRACE_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : GATEWAY_GRACE_MS;
}

/** The gateway process beats every 30 s; this much silence means it is gone. */
const RECORDED_STALE_MS = 90_000;

export interface HealthInput {
  dbOk: boolean;
  now: number;
  /** When this server started (same clock as `now`): the grace period runs from here too. */
  startedAt: number;
  /** This process's gateway (`npm start`); absent in a webhook-only process. */
  gateway?: GatewayLiveness;
  /** The gateway process's rows, for a webhook-only process. */
  recorded?: RecordedGateway;
  graceMs?: number;
  maxSilenceMs?: number;
}

export interface Health {
  ok: boolean;
  /** What is wrong, one short sentence each; empty when ok. */
  problems: string[];
  /** Seconds since the last gateway dispatch (null: none yet, or not known here). */
  lastDispatchAgeSeconds: number | null;
  /** Since when the gateway is connected (unix ms), when known. */
  connectedAt: number | null;
}

const seconds = (ms: number) => Math.round(ms / 1000);

/**
 * Liveness for `/healthz`, what Caddy, an uptime monitor and a deploy look at: 503 when the
 * database does not answer, or when the gateway has been away longer than the grace period (60 s):
 * disconnected, or silent (no dispatch and no heartbeat ACK) past the readiness limit. A quiet
 * guild sends no dispatches for hours, so a dispatch's age alone is reported, not judged. In a
 * webhook-only process the gateway process's heartbeat rows stand in for the socket.
 */
export function health(input: HealthInput): Health {
  const problems: string[] = [];
  if (!input.dbOk) problems.push('the database does not answer');
  const grace = input.graceMs ?? GATEWAY_GRACE_MS;
  const limit = input.maxSilenceMs ?? READY_MAX_SILENCE_MS;
  const inGrace = input.now - input.startedAt <= grace;
  const g = input.gateway;
  let connectedAt: number | null = null;
  let lastDispatchAgeSeconds: number | null = null;
  if (g) {
    connectedAt = g.connected ? (g.connectedAt ?? null) : null;
    if (g.lastEventAt !== null) lastDispatchAgeSeconds = Math.max(0, seconds(input.now - g.lastEventAt));
    if (!g.connected) {
      const since = g.disconnectedAt ?? input.startedAt;
      if (input.now - since > grace) problems.push(`the gateway has been disconnected for ${seconds(input.now - since)} s (state: ${g.state})${downShards(g, input.now)}`);
    } else {
      const last = Math.max(lastHeardAt(g) ?? -Infinity, g.connectedAt ?? -Infinity);
      if (last !== -Infinity && input.now - last > limit + grace) problems.push(`no gateway dispatch or heartbeat for ${seconds(input.now - last)} s`);
    }
  } else if (input.recorded) {
    const { beatAt, connectedAt: recordedConnected } = input.recorded;
    connectedAt = null;
    if (beatAt === null) {
      if (!inGrace) problems.push('no gateway process has written a heartbeat (is rollcall-gateway running?)');
    } else if (input.now - beatAt > RECORDED_STALE_MS + grace) {
      problems.push(`the gateway process's last heartbeat was ${seconds(input.now - beatAt)} s ago`);
    } else if (recordedConnected !== null && input.now - recordedConnected > RECORDED_STALE_MS + grace) {
      problems.push(`the gateway process was last connected to Discord ${seconds(input.now - recordedConnected)} s ago`);
    }
  }
  return { ok: problems.length === 0, problems, lastDispatchAgeSeconds, connectedAt };
}
