import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { APIInteraction, APIInteractionResponse } from 'discord-api-types/v10';
import { outcomeOf, typeLabel, type KnownNames } from '../interactions/labels.js';
import type { App } from '../app.js';
import { restInFlight } from '../shared/discord/rest-metrics.js';
import { metrics, registry } from '../shared/metrics.js';
import { appRevision } from '../shared/revision.js';
import { appVersion } from '../shared/version.js';
import { readiness } from './readiness.js';
import { lastHeardAt, type GatewayView } from '../shared/gateway-connection.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** Headers a reverse proxy adds: a request carrying one came through Caddy, not from the Pi itself. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'x-forwarded-host', 'forwarded', 'via'];

const gauges = {
  up: registry.gauge('rollcall_up', 'Always 1 while the process answers; labelled with version and revision.', ['version', 'revision']),
  uptime: registry.gauge('rollcall_uptime_seconds', 'Seconds since the process started.'),
  dbOk: registry.gauge('rollcall_database_ok', '1 when SELECT 1 on the database succeeds.'),
  ready: registry.gauge('rollcall_ready', '1 when /readyz would answer 200.'),
  gatewayConnected: registry.gauge('rollcall_gateway_connected', '1 while the gateway socket is connected (READY or RESUMED).'),
  gatewaySilence: registry.gauge('rollcall_gateway_seconds_since_last_event', 'Seconds since the last gateway dispatch or heartbeat ACK.'),
  gatewayLatency: registry.gauge('rollcall_gateway_heartbeat_latency_seconds', 'Round trip of the last gateway heartbeat.'),
  shardUp: registry.gauge('rollcall_gateway_shard_connected', '1 while the shard is connected (READY or RESUMED), 0 while it reconnects or waits.', ['shard']),
  shardWaiting: registry.gauge('rollcall_gateway_shard_identify_wait_seconds', "Seconds the shard still holds its IDENTIFY because Discord's session start limit is used up (0: not waiting).", [
    'shard',
  ]),
  shardSilence: registry.gauge('rollcall_gateway_shard_seconds_since_last_event', 'Seconds since the shard last heard a dispatch or heartbeat ACK.', ['shard']),
  shardLatency: registry.gauge('rollcall_gateway_shard_heartbeat_latency_seconds', "Round trip of the shard's last heartbeat.", ['shard']),
  restInFlight: registry.gauge('rollcall_discord_rest_in_flight', 'Discord REST requests waiting in a rate-limit queue or on the wire (the REST queue depth of /healthz).'),
};

/** How an answered interaction is labelled, remembered per request until the response is sent. */
const noted = new WeakMap<FastifyRequest, { type: string; outcome: string }>();

/** Called by the `/interactions` route with what it answered, so `/metrics` can count it by type. */
export function noteInteraction(request: FastifyRequest, interaction: APIInteraction, response: APIInteractionResponse, known: KnownNames): void {
  noted.set(request, { type: typeLabel(interaction, known), outcome: outcomeOf(response) });
}

function outcomeOfStatus(status: number): string {
  if (status === 401) return 'bad_signature';
  if (status === 400) return 'malformed';
  if (status === 413) return 'too_large';
  if (status >= 500) return 'error';
  return `http_${status}`;
}

/** True when the request was made on this machine directly (not relayed by a proxy). */
export function isLocalRequest(request: FastifyRequest): boolean {
  const remote = request.socket.remoteAddress ?? '';
  return LOOPBACK.has(remote) && !FORWARDING_HEADERS.some((h) => request.headers[h] !== undefined);
}

/**
 * Adds `GET /readyz` (gateway connected and heard from recently), `GET /metrics` (Prometheus text,
 * loopback clients only, 404 to anyone else) and the hook that counts and times interactions.
 */
export function registerOperationsRoutes(fastify: FastifyInstance, app: App, connection?: () => GatewayView): void {
  const check = async () => {
    const dbOk = await app.database.isHealthy();
    const gateway = connection?.();
    return { dbOk, gateway, ...readiness({ dbOk, gateway, now: app.clock.now() }) };
  };

  fastify.addHook('onResponse', async (request, reply) => {
    if (request.routeOptions.url !== '/interactions') return;
    const note = noted.get(request) ?? { type: 'unknown', outcome: outcomeOfStatus(reply.statusCode) };
    metrics.interactions.inc(note);
    if (note.outcome === 'bad_signature') metrics.signatureFailures.inc();
    metrics.interactionSeconds.observe(reply.elapsedTime / 1000, { type: note.type });
  });

  fastify.get('/readyz', async (_request, reply) => {
    const { ready, reasons, gateway } = await check();
    return reply.code(ready ? 200 : 503).send({ ready, reasons, ...(gateway ? { gateway } : {}) });
  });

  fastify.get('/metrics', async (request, reply) => {
    if (!isLocalRequest(request)) return reply.callNotFound();
    const { dbOk, ready, gateway } = await check();
    gauges.up.set(1, { version: appVersion(), revision: appRevision() ?? 'unknown' });
    gauges.uptime.set(Math.round(process.uptime()));
    gauges.dbOk.set(dbOk ? 1 : 0);
    gauges.ready.set(ready ? 1 : 0);
    gauges.restInFlight.set(restInFlight());
    if (gateway) {
      gauges.gatewayConnected.set(gateway.connected ? 1 : 0);
      const last = lastHeardAt(gateway);
      if (last !== null) gauges.gatewaySilence.set(Math.max(0, (app.clock.now() - last) / 1000));
      if (gateway.latencyMs !== null) gauges.gatewayLatency.set(gateway.latencyMs / 1000);
      for (const shard of gateway.shards) {
        const labels = { shard: String(shard.id) };
        gauges.shardUp.set(shard.state === 'ready' || shard.state === 'resumed' ? 1 : 0, labels);
        gauges.shardWaiting.set(shard.state === 'waiting' && shard.until !== undefined ? Math.max(0, (shard.until - app.clock.now()) / 1000) : 0, labels);
        if (shard.lastHeardAt !== null) gauges.shardSilence.set(Math.max(0, (app.clock.now() - shard.lastHeardAt) / 1000), labels);
        if (shard.latencyMs !== null) gauges.shardLatency.set(shard.latencyMs / 1000, labels);
      }
    }
    const edits = app.editor.stats;
    metrics.editsCoalesced.setTotal(edits.coalesced);
    metrics.edits.setTotal(edits.edits, { result: 'sent' });
    metrics.edits.setTotal(edits.failed, { result: 'failed' });
    return reply.type(registry.contentType).send(await registry.render());
  });
}
