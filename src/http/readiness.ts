import { connectionRow, GATEWAY_ROLE } from '../shared/services/heartbeat.js';

/**
 * What `/readyz` needs to know about the gateway; `trackGatewayHealth` in src/gateway/health.ts
 * provides it (structurally, so src/http does not depend on src/gateway).
 */
export interface GatewayLiveness {
  state: string;
  connected?: boolean;
  lastEventAt: number | null;
  lastHeartbeatAt?: number | null;
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
    const connected = gateway.connected ?? (gateway.state === 'ready' || gateway.state === 'resumed');
    if (!connected) reasons.push(`the gateway is not connected (state: ${gateway.state})`);
    const last = Math.max(gateway.lastEventAt ?? -Infinity, gateway.lastHeartbeatAt ?? -Infinity);
    const limit = input.maxSilenceMs ?? READY_MAX_SILENCE_MS;
    if (last === -Infinity) reasons.push('no gateway event or heartbeat yet');
    else if (input.now - last > limit) {
      reasons.push(`no gateway event or heartbeat for ${Math.round((input.now - last) / 1000)} s (limit ${Math.round(limit / 1000)} s)`);
    }
  }
  return { ready: reasons.length === 0, reasons };
}

/** Picks the gateway part out of the `/healthz` extras, if it looks like one. */
export function gatewayFrom(extra: Record<string, unknown> | undefined): GatewayLiveness | undefined {
  const g = extra?.gateway as Partial<GatewayLiveness> | undefined;
  return g && typeof g === 'object' && typeof g.state === 'string' ? (g as GatewayLiveness) : undefined;
}

/** How long the gateway may be down (or not yet up) before `/healthz` answers 503. */
export const GATEWAY_GRACE_MS = 60_000;

/** `HEALTH_GATEWAY_GRACE_SECONDS` overrides {@link GATEWAY_GRACE_MS} (e.g. a test box with no Discord). */
export function gatewayGraceMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.HEALTH_GATEWAY_GRACE_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : GATEWAY_GRACE_MS;
}

/** The gateway as this process sees it (`npm start`), with when the connection began or ended. */
export interface GatewayHealthView extends GatewayLiveness {
  connectedAt?: number | null;
  disconnectedAt?: number | null;
}

/**
 * The gateway as a webhook-only process (`npm run start:http`) sees it: the rows the gateway
 * process writes into `heartbeats` about every 30 s (see src/shared/services/heartbeat.ts).
 */
export interface RecordedGateway {
  /** The gateway process's last beat (alive), unix ms. */
  beatAt: number | null;
  /** Its gateway's last known connected moment (a dispatch or heartbeat ACK), when it records one. */
  connectedAt: number | null;
}

/** The gateway process beats every 30 s; this much silence means it is gone. */
const RECORDED_STALE_MS = 90_000;

/** Reads the gateway process's rows; null values when there are none (or no table yet). */
export function recordedGateway(sqlite: { prepare(sql: string): { all(...params: unknown[]): unknown[] } }): RecordedGateway {
  try {
    const rows = sqlite.prepare('select process, beat_at from heartbeats where process in (?, ?)').all(GATEWAY_ROLE, connectionRow(GATEWAY_ROLE)) as { process: string; beat_at: number }[];
    return {
      beatAt: rows.find((r) => r.process === GATEWAY_ROLE)?.beat_at ?? null,
      connectedAt: rows.find((r) => r.process === connectionRow(GATEWAY_ROLE))?.beat_at ?? null,
    };
  } catch {
    return { beatAt: null, connectedAt: null };
  }
}

export interface HealthInput {
  dbOk: boolean;
  now: number;
  /** When this server started (same clock as `now`): the grace period runs from here too. */
  startedAt: number;
  /** This process's gateway (`npm start`); absent in a webhook-only process. */
  gateway?: GatewayHealthView;
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
    const connected = g.connected ?? (g.state === 'ready' || g.state === 'resumed');
    connectedAt = connected ? (g.connectedAt ?? null) : null;
    if (g.lastEventAt !== null) lastDispatchAgeSeconds = Math.max(0, seconds(input.now - g.lastEventAt));
    if (!connected) {
      const since = g.disconnectedAt ?? input.startedAt;
      if (input.now - since > grace) problems.push(`the gateway has been disconnected for ${seconds(input.now - since)} s (state: ${g.state})`);
    } else {
      const last = Math.max(g.lastEventAt ?? -Infinity, g.lastHeartbeatAt ?? -Infinity, g.connectedAt ?? -Infinity);
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
