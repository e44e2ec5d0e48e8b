import { formatDuration } from '../../shared/time/duration.js';
import { AdminError } from './errors.js';

interface GatewayView {
  state?: string;
  connected?: boolean;
  sessions?: number;
  resumes?: number;
  reconnects?: number;
  latencyMs?: number | null;
  lastEventAt?: number | null;
  lastHeartbeatAt?: number | null;
  /** Since when the current connection is up (unix ms). */
  connectedAt?: number | null;
  lastDispatchAgeSeconds?: number | null;
  /** READY (or RESUMED) at least once since the process started: what a deploy waits for. */
  readyOnce?: boolean;
  /** false: the gateway runs in another process; beatAt/connectedAt are what it last recorded. */
  inProcess?: boolean;
  beatAt?: number | null;
  /** Each shard of the process (a bot from before sharding has none). */
  shards?: ShardStatus[];
}

interface ShardStatus {
  id: number;
  state: string;
  since?: number;
  lastHeardAt?: number | null;
  latencyMs?: number | null;
  reason?: string;
  until?: number;
}

/** What `status` shows, gathered from `/healthz` and `/readyz`. */
export interface StatusReport {
  url: string;
  healthy: boolean;
  version: string;
  revision: string | null;
  release?: string;
  uptimeSeconds: number | null;
  db: boolean;
  gateway: GatewayView | null;
  /** Discord REST requests queued or in flight in the bot. */
  restQueue: number | null;
  /** How commands reach the bot (INTERACTIONS): `http` (the webhook) or `gateway`; null from an older bot. */
  interactions: 'http' | 'gateway' | null;
  /** Why /healthz is failing, from the bot itself. */
  problems: string[];
  ready: boolean;
  reasons: string[];
}

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: res.status, body };
}

/** Asks the bot at `url` (e.g. http://127.0.0.1:8787) how it is. Throws if nothing answers. */
export async function fetchStatus(url: string, release?: string): Promise<StatusReport> {
  const base = url.replace(/\/+$/, '');
  let health: Awaited<ReturnType<typeof getJson>>;
  try {
    health = await getJson(`${base}/healthz`);
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new AdminError(`no answer from ${base}/healthz (${why}); is the bot running?`);
  }
  const ready = await getJson(`${base}/readyz`).catch(() => ({ status: 0, body: { reasons: ['/readyz did not answer'] } }));
  const h = health.body;
  return {
    url: base,
    healthy: health.status === 200,
    version: typeof h.version === 'string' ? h.version : 'unknown',
    revision: typeof h.revision === 'string' ? h.revision : null,
    ...(release && release !== 'none' ? { release } : {}),
    uptimeSeconds: typeof h.uptimeSeconds === 'number' ? h.uptimeSeconds : null,
    db: h.db === true,
    gateway: h.gateway && typeof h.gateway === 'object' ? (h.gateway as GatewayView) : null,
    restQueue: typeof h.restQueue === 'number' ? h.restQueue : null,
    interactions: h.interactions === 'http' || h.interactions === 'gateway' ? h.interactions : null,
    problems: Array.isArray(h.problems) ? (h.problems as string[]) : [],
    ready: ready.status === 200,
    reasons: Array.isArray(ready.body.reasons) ? (ready.body.reasons as string[]) : [],
  };
}

const ago = (at: number | null | undefined, now: number) => (typeof at === 'number' ? `${formatDuration((now - at) / 1000)} ago` : 'never');

/**
 * One row per shard when the process runs several, or when its one shard waits (the reason is news):
 * `shard 1   waiting 3 min: Discord's session start limit is used up; next IDENTIFY in 2 h 5 min`.
 */
function shardRows(shards: ShardStatus[], now: number): [string, string][] {
  if (shards.length < 2 && !shards.some((s) => s.state === 'waiting')) return [];
  return shards.map((s) => {
    const parts = [typeof s.since === 'number' ? `${s.state} for ${formatDuration((now - s.since) / 1000)}` : s.state];
    if (s.state === 'waiting') parts.push(`${s.reason ?? 'no reason given'}; next IDENTIFY in ${typeof s.until === 'number' ? formatDuration((s.until - now) / 1000) : 'unknown'}`);
    else {
      parts.push(`heard ${ago(s.lastHeardAt, now)}`);
      if (typeof s.latencyMs === 'number') parts.push(`heartbeat ${s.latencyMs} ms`);
    }
    return [`shard ${s.id}`, parts.join(', ')];
  });
}

/** The report as a few aligned lines for a person. */
export function formatStatus(r: StatusReport, now = Date.now()): string {
  const rows: [string, string][] = [
    ['health', `${r.healthy ? 'ok' : 'FAILING'} (database ${r.db ? 'ok' : 'not answering'})${r.problems.length ? `: ${r.problems.join('; ')}` : ''}`],
    ['version', `${r.version}${r.revision ? ` (revision ${r.revision.slice(0, 12)})` : ''}`],
  ];
  if (r.release) rows.push(['release', r.release.slice(0, 12)]);
  rows.push(['uptime', r.uptimeSeconds === null ? 'unknown' : formatDuration(r.uptimeSeconds)]);
  const g = r.gateway;
  if (g?.inProcess === false) {
    rows.push(['gateway', `in another process: heartbeat ${ago(g.beatAt, now)}, last connected ${ago(g.connectedAt, now)}`]);
  } else if (g) {
    const parts = [g.state ?? 'unknown', g.connected === false ? 'disconnected' : g.connected ? 'connected' : ''];
    if (g.sessions !== undefined) parts.push(`${g.sessions} session(s)`);
    if (g.reconnects !== undefined) parts.push(`${g.reconnects} reconnect(s)`);
    if (typeof g.latencyMs === 'number') parts.push(`heartbeat ${g.latencyMs} ms`);
    if (typeof g.connectedAt === 'number') parts.push(`since ${new Date(g.connectedAt).toISOString()}`);
    // Within /healthz's grace period this is why a deploy is still waiting (or a token is wrong: see the logs).
    if (g.readyOnce === false) parts.push('never READY since the start');
    rows.push(['gateway', parts.filter(Boolean).join(', ')]);
    rows.push(['last event', ago(g.lastEventAt, now)]);
    rows.push(['heartbeat', ago(g.lastHeartbeatAt, now)]);
    for (const shard of shardRows(g.shards ?? [], now)) rows.push(shard);
  } else {
    rows.push(['gateway', 'not in this process']);
  }
  if (r.interactions) {
    rows.push([
      'commands',
      r.interactions === 'gateway'
        ? 'over the gateway (INTERACTIONS=gateway: no public URL; down while the gateway is)'
        : 'over the webhook (INTERACTIONS=http: Discord POSTs to the Interactions Endpoint URL)',
    ]);
  }
  if (r.restQueue !== null) rows.push(['REST queue', `${r.restQueue} request(s) waiting or in flight`]);
  rows.push(['ready', r.ready ? 'yes' : `no: ${r.reasons.join('; ') || 'unknown'}`]);
  return [`rollcall at ${r.url}`, ...rows.map(([k, v]) => `  ${k.padEnd(10)} ${v}`)].join('\n');
}
