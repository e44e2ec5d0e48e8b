/**
 * The REST route table: a route is a method, a path template, its rate-limit bucket and a handler.
 * Matching prefers literal segments (`@me`, `@original`) over parameters, like Discord's router.
 */
import { fieldError, invalidFormBody, mergeFormErrors, type FormErrors } from '../errors.js';
import { isSnowflake } from '../snowflake.js';
import type { UploadedFile } from '../state/validate.js';
import type { World } from '../state/world.js';
import type { InteractionStore } from '../interactions/store.js';
import { normalizeRoute } from './faults.js';
import type { BucketSpec } from './rate-limits.js';

/** What route handlers may use. */
export interface RestDeps {
  world: World;
  interactions: InteractionStore;
  /** `ws://127.0.0.1:PORT/gateway` */
  gatewayUrl: () => string;
  /** `GET /gateway/bot`'s `shards` (recommended) and `session_start_limit`. */
  gatewayBot: () => { shards: number; session_start_limit: { total: number; remaining: number; reset_after: number; max_concurrency: number } };
  /** Privileged intents enabled for the application (GUILD_MEMBERS gates member listing). */
  privilegedIntents: () => number;
  /** The application flags matching those intents. */
  privilegedIntentFlags: () => number;
  /** The application's Ed25519 public key (hex), shown as `verify_key`. */
  publicKey: string;
  /** Where interactions are sent (null until set). */
  interactionsUrl: () => string | null;
}

export interface RouteContext {
  deps: RestDeps;
  world: World;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  files: UploadedFile[];
}

export interface Reply {
  status: number;
  body?: unknown;
}

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** e.g. `/channels/:channel_id/messages/:message_id` */
  path: string;
  /** `none` for webhook/interaction-token routes, which Discord does not authenticate by bot token. */
  auth?: 'bot' | 'none';
  /** Bucket; defaults to 50 per second for this route. */
  bucket?: BucketSpec;
  /** Interaction endpoints are not bound to the global rate limit. */
  globalExempt?: boolean;
  /** Words an `_id` parameter may be instead of a snowflake, e.g. `{ message_id: ['@original'] }`. */
  idWords?: Record<string, readonly string[]>;
  handler: (ctx: RouteContext) => Reply | Promise<Reply>;
}

export const json = (body: unknown, status = 200): Reply => ({ status, body });
export const noContent = (): Reply => ({ status: 204 });

export interface RouteMatch {
  route: RouteDef;
  params: Record<string, string>;
  /** `PATCH /channels/:id/messages/:id` — the key counters use. */
  key: string;
  /** `/channels/:id/messages/:id` — what faults match. */
  template: string;
}

export class Router {
  readonly #routes: { def: RouteDef; segments: string[]; literals: number }[] = [];

  add(...defs: RouteDef[]): this {
    for (const def of defs) {
      const segments = def.path.split('/').filter(Boolean);
      this.#routes.push({ def, segments, literals: segments.filter((s) => !s.startsWith(':')).length });
    }
    return this;
  }

  /** The best route for a path: a match, `405` when only the method differs, or `404`. */
  match(method: string, path: string): RouteMatch | 405 | 404 {
    const parts = path.split('/').filter(Boolean);
    let best: { def: RouteDef; params: Record<string, string>; literals: number } | undefined;
    let pathMatched = false;
    for (const r of this.#routes) {
      if (r.segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < parts.length && ok; i++) {
        const seg = r.segments[i] as string;
        const part = parts[i] as string;
        if (seg.startsWith(':')) {
          try {
            params[seg.slice(1)] = decodeURIComponent(part);
          } catch {
            ok = false;
          }
        } else ok = seg === part;
      }
      if (!ok) continue;
      pathMatched = true;
      if (r.def.method !== method) continue;
      if (!best || r.literals > best.literals) best = { def: r.def, params, literals: r.literals };
    }
    if (!best) return pathMatched ? 405 : 404;
    const template = normalizeRoute(best.def.path);
    return { route: best.def, params: best.params, key: `${best.def.method} ${template}`, template };
  }
}

/**
 * Path ids (`channel_id`, `message_id`, …) must be snowflakes: anything else is 50035 with
 * `Value "x" is not snowflake.` under the parameter's name, as Discord answers, not 10003/10008.
 */
export function checkPathIds(route: RouteDef, params: Record<string, string>): void {
  const errors: FormErrors = {};
  for (const [name, value] of Object.entries(params)) {
    if (!name.endsWith('_id') || isSnowflake(value) || route.idWords?.[name]?.includes(value)) continue;
    mergeFormErrors(errors, fieldError([name], 'NUMBER_TYPE_COERCE', `Value "${value}" is not snowflake.`));
  }
  if (Object.keys(errors).length > 0) throw invalidFormBody(errors);
}

/** The top-level resource of a request for rate limiting: channel, guild, or webhook id + token. */
export function majorParameter(params: Record<string, string>): string {
  if (params.channel_id) return `c${params.channel_id}`;
  if (params.guild_id) return `g${params.guild_id}`;
  if (params.webhook_id) return `w${params.webhook_id}:${params.token ?? ''}`;
  if (params.interaction_id) return `i${params.interaction_id}:${params.token ?? ''}`;
  return '';
}
