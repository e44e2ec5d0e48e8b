import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { APIInteraction } from 'discord-api-types/v10';
import type { App } from '../app.js';
import { appVersion } from '../shared/version.js';
import { appRevision } from '../shared/revision.js';
import { restInFlight } from '../shared/discord/rest-metrics.js';
import { isLocalRequest, noteInteraction, registerOperationsRoutes } from './metrics.js';
import { gatewayGraceMs, health } from './readiness.js';
import type { GatewayView } from '../shared/gateway-connection.js';
import { InteractionIntake, type IntakeOptions } from '../interactions/intake.js';
import type { InteractionRouter } from '../interactions/router.js';
import { InteractionVerifier } from './verify.js';
import { lazySchemaCompilers } from './schema-compilers.js';

/** Discord's interaction payloads are small; anything larger is refused before it is read whole. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface ServerOptions extends IntakeOptions {
  /** The intake to route through (one per process, shared with the gateway); built here when absent. */
  intake?: InteractionIntake;
  /**
   * Serve `POST /interactions` (default true). False with `INTERACTIONS=gateway`: commands come over
   * the gateway and the port serves only /healthz, /readyz and /metrics, on loopback.
   */
  webhook?: boolean;
  /** This process's gateway, when it runs one (`npm start`): what /healthz, /readyz and /metrics judge. */
  gateway?: () => GatewayView;
}

export interface InteractionServer {
  fastify: FastifyInstance;
  router: InteractionRouter;
}

/**
 * The webhook Discord calls: `POST /interactions` (signature checked on the raw bytes before any
 * parsing, unless `webhook: false`) and `GET /healthz`.
 * @see https://discord.com/developers/docs/interactions/overview#configuring-an-interactions-endpoint-url
 */
export function buildServer(app: App, options: ServerOptions = {}): InteractionServer {
  const fastify = Fastify({
    loggerInstance: app.log as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    // One line per request at 500 req/s drowns the Pi's SD card; handlers log what matters.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    schemaController: { compilersFactory: lazySchemaCompilers() },
  });
  const intake = options.intake ?? new InteractionIntake(app, options);
  const router = intake.router;

  // Keep every body as raw bytes: the signature covers the exact bytes Discord sent.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES }, (_req, body, done) => done(null, body));

  if (options.webhook !== false) serveWebhook(fastify, app, intake);
  registerHealthRoutes(fastify, app, options.gateway);
  registerOperationsRoutes(fastify, app, options.gateway);

  fastify.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send({ error: status === 413 ? 'body too large' : status === 500 ? 'internal error' : error.message });
  });

  fastify.addHook('onClose', async () => router.settle());
  return { fastify, router };
}

/** `POST /interactions`: verify the raw bytes, parse, check the shape, route. */
function serveWebhook(fastify: FastifyInstance, app: App, intake: InteractionIntake): void {
  // The replay window is about transport, so it uses the wall clock even when the bot's clock is
  // injected (tests, the sandbox's time travel).
  const verifier = new InteractionVerifier(app.config.publicKey);
  fastify.post('/interactions', async (request, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const failure = await verifier.verify(request.headers['x-signature-ed25519'] as string | undefined, request.headers['x-signature-timestamp'] as string | undefined, raw);
    if (failure) {
      request.log.warn({ reason: failure, ip: request.ip }, 'interaction refused');
      return reply.code(401).send({ error: 'invalid request signature' });
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      return reply.code(400).send({ error: 'body is not an interaction JSON object' });
    }
    // Signed by Discord's key but not shaped like an interaction: refused here, before any handler.
    const shapeError = intake.problem(parsed);
    if (shapeError) {
      request.log.warn({ reason: shapeError }, 'interaction refused: malformed');
      return reply.code(400).send({ error: `malformed interaction: ${shapeError}` });
    }
    const interaction = parsed as APIInteraction;
    // Resolves once the first response is on the wire (or the socket is gone): a deferred answer
    // sent before it would reach Discord ahead of the deferral and be refused.
    const sent = new Promise<void>((resolve) => {
      reply.raw.once('finish', () => resolve());
      reply.raw.once('close', () => resolve());
    });
    const response = await intake.router.handle(interaction, sent);
    noteInteraction(request, interaction, response, intake.known);
    return reply.send(response);
  });
}

/**
 * Liveness for Caddy, uptime monitors and deploys: 503 when the database or the gateway is gone
 * (src/http/readiness.ts says exactly when). Through Caddy (the internet) only the verdict;
 * versions, gateway details, the interactions mode and problems stay on the Pi.
 */
function registerHealthRoutes(fastify: FastifyInstance, app: App, connection: ServerOptions['gateway']): void {
  const startedAt = app.clock.now();
  const graceMs = gatewayGraceMs();
  fastify.get('/healthz', async (request, reply) => {
    const dbOk = await app.database.isHealthy();
    const gateway = connection?.();
    const recorded = gateway || !dbOk ? undefined : await app.heartbeat.recordedGateway();
    const verdict = health({ dbOk, now: app.clock.now(), startedAt, graceMs, gateway, recorded });
    const status = verdict.ok ? 'ok' : 'degraded';
    reply.code(verdict.ok ? 200 : 503);
    if (!isLocalRequest(request)) return reply.send({ status });
    return reply.send({
      status,
      problems: verdict.problems,
      version: appVersion(),
      revision: appRevision(),
      uptimeSeconds: Math.round(process.uptime()),
      db: dbOk,
      restQueue: restInFlight(),
      interactions: app.config.interactions,
      gateway: gateway
        ? { ...gateway, connectedAt: verdict.connectedAt, lastDispatchAgeSeconds: verdict.lastDispatchAgeSeconds }
        : { inProcess: false, ...(recorded ?? { beatAt: null, connectedAt: null }) },
    });
  });
}
