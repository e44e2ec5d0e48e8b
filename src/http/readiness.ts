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
