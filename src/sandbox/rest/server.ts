/**
 * The REST front door under `/api/v10`: route → auth → counters → injected faults → rate limits →
 * body → handler, answering Discord's JSON errors and never crashing on bad input.
 * @see https://discord.com/developers/docs/reference#api-reference
 * @see https://discord.com/developers/docs/reference#authentication
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DiscordError, methodNotAllowed, notFound, unauthorized } from '../errors.js';
import type { WireLog } from '../wire.js';
import { parseBody, readRaw } from './body.js';
import type { FaultInjector } from './faults.js';
import { defaultBucket, type RateLimiter } from './rate-limits.js';
import { checkPathIds, majorParameter, Router, type RestDeps } from './router.js';
import { commandRoutes } from './routes/commands.js';
import { gatewayRoutes } from './routes/gateway.js';
import { guildRoutes } from './routes/guilds.js';
import { interactionRoutes } from './routes/interactions.js';
import { messageRoutes } from './routes/messages.js';
import { reactionRoutes } from './routes/reactions.js';
import { userRoutes } from './routes/users.js';

export function buildRouter(): Router {
  return new Router().add(...gatewayRoutes, ...userRoutes, ...messageRoutes, ...reactionRoutes, ...guildRoutes, ...commandRoutes, ...interactionRoutes);
}

export interface RestServerParts {
  deps: RestDeps;
  limiter: RateLimiter;
  faults: FaultInjector;
  log: WireLog;
}

/** Strips `/api`, `/api/v10` or `/api/v9`; null for anything else (unsupported versions). */
export function apiPath(pathname: string): string | null {
  const m = /^\/api(?:\/v(\d+))?(\/.*)?$/.exec(pathname);
  if (!m) return null;
  if (m[1] !== undefined && m[1] !== '10' && m[1] !== '9') return null;
  return m[2] ?? '/';
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  if (res.headersSent) return;
  const common = { ...headers, Via: '1.1 rollcall-emulator', 'X-Emulator': 'rollcall' };
  if (status === 204 || body === undefined) {
    res.writeHead(status, common).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { ...common, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

/** Handles one REST request whose `/api/vN` prefix was stripped into `path`. */
export async function handleRest(parts: RestServerParts, router: Router, req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
  const { deps, limiter, faults, log } = parts;
  const world = deps.world;
  const started = Date.now();
  const method = (req.method ?? 'GET').toUpperCase();
  let routeKey = `${method} ${path}`;
  let rateHeaders: Record<string, string> = {};
  let fault: string | undefined;
  let status = 500;
  let error: { code: number; message: string } | undefined;
  try {
    // Always drain the body first so keep-alive connections stay healthy whatever we answer.
    const raw = await readRaw(req);
    const match = router.match(method, path);
    if (match === 404) throw notFound();
    if (match === 405) throw methodNotAllowed();
    routeKey = match.key;
    const auth = req.headers.authorization;
    if ((match.route.auth ?? 'bot') === 'bot' && auth !== `Bot ${world.application.token}`) throw unauthorized();
    world.counters.request(routeKey);

    const injected = faults.take(method, match.template);
    if (injected) {
      if (injected.hold) await faults.held(injected);
      if (injected.latencyMs > 0) await sleep(injected.latencyMs);
      if (injected.status === 429) {
        fault = `injected 429 (${injected.scope})`;
        world.counters.limited(routeKey);
        const headers: Record<string, string> = { 'Retry-After': String(Math.ceil(injected.retryAfter)), 'X-RateLimit-Scope': injected.scope };
        if (injected.scope === 'global') headers['X-RateLimit-Global'] = 'true';
        status = 429;
        send(
          res,
          429,
          { message: injected.scope === 'shared' ? 'The resource is being rate limited.' : 'You are being rate limited.', retry_after: injected.retryAfter, global: injected.scope === 'global' },
          headers,
        );
        return;
      }
      if (injected.status) {
        fault = `injected ${injected.status}`;
        const messages: Record<number, string> = { 500: '500: Internal Server Error', 502: '502: Bad Gateway', 503: '503: Service Unavailable', 504: '504: Gateway Timeout' };
        throw new DiscordError(injected.status, 0, messages[injected.status] ?? `${injected.status}`);
      }
      fault = injected.hold ? 'held until released' : `injected latency ${injected.latencyMs} ms`;
    }

    const decision = limiter.check(match.route.bucket ?? defaultBucket(routeKey), majorParameter(match.params), match.route.globalExempt ?? false);
    rateHeaders = decision.headers;
    if (decision.limited) {
      world.counters.limited(routeKey);
      status = 429;
      send(res, 429, decision.limited.body, decision.headers);
      return;
    }

    checkPathIds(match.route, match.params);
    const body = await parseBody(raw, req.headers['content-type']);
    const reply = await match.route.handler({ deps, world, params: match.params, query, body: body.json, files: body.files });
    status = reply.status;
    send(res, reply.status, reply.body, rateHeaders);
  } catch (e) {
    const err = e instanceof DiscordError ? e : new DiscordError(500, 0, '500: Internal Server Error');
    if (!(e instanceof DiscordError)) {
      world.counters.internalError();
      console.error('[emulator] REST handler crashed', e);
    }
    status = err.status;
    error = { code: err.code, message: err.message };
    send(res, err.status, err.toJSON(), rateHeaders);
  } finally {
    log.push({
      kind: 'rest',
      method,
      path,
      route: routeKey,
      status,
      durationMs: Date.now() - started,
      ...(Object.keys(rateHeaders).length > 0 ? { rateLimit: rateHeaders } : {}),
      ...(fault ? { fault } : {}),
      ...(error ? { error } : {}),
    });
  }
}
