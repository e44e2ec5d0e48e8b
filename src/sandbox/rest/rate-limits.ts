/**
 * Per-route buckets and the global limit, with Discord's headers and 429 bodies.
 *
 * - A bucket is `limit` requests per `windowMs`, counted per top-level resource (channel, guild,
 *   webhook id + token) — the "major parameter".
 * - Global: 50 requests per second over all routes except interaction callbacks and webhooks.
 * - 429 bodies: `{ message, retry_after, global }`, with `Retry-After` (whole seconds, rounded up),
 *   `X-RateLimit-Scope: user|global` and, for the global limit, `X-RateLimit-Global: true`.
 * @see https://discord.com/developers/docs/topics/rate-limits
 */
import { createHash } from 'node:crypto';

export interface BucketSpec {
  /** Routes with the same name share a bucket (and its `X-RateLimit-Bucket` hash). */
  name: string;
  limit: number;
  windowMs: number;
}

export interface RateLimitDecision {
  headers: Record<string, string>;
  /** Present when the request is refused. */
  limited?: { body: { message: string; retry_after: number; global: boolean }; scope: 'user' | 'global' };
}

export const GLOBAL_LIMIT_PER_SECOND = 50;

/** Buckets Discord documents or that are well known; everything else gets {@link defaultBucket}. */
export const Buckets = {
  messageCreate: { name: 'POST /channels/:id/messages', limit: 5, windowMs: 5_000 },
  messageEdit: { name: 'PATCH /channels/:id/messages/:id', limit: 5, windowMs: 5_000 },
  messageDelete: { name: 'DELETE /channels/:id/messages/:id', limit: 5, windowMs: 1_000 },
  reactions: { name: 'reactions /channels/:id/messages/:id/reactions', limit: 1, windowMs: 250 },
  webhook: { name: 'webhooks /webhooks/:id/:token', limit: 5, windowMs: 2_000 },
  interactionCallback: { name: 'POST /interactions/:id/:token/callback', limit: 1, windowMs: 1_000 },
} satisfies Record<string, BucketSpec>;

export function defaultBucket(routeKey: string): BucketSpec {
  return { name: routeKey, limit: 50, windowMs: 1_000 };
}

/** The opaque bucket id Discord sends (stable per bucket, independent of the major parameter). */
export function bucketHash(name: string): string {
  return createHash('md5').update(name).digest('hex');
}

interface BucketState {
  remaining: number;
  resetAt: number;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export class RateLimiter {
  readonly #buckets = new Map<string, BucketState>();
  #globalWindowStart = 0;
  #globalCount = 0;

  /**
   * @param windowScale multiplies every window (0.1 makes 5 per 5 s into 5 per 0.5 s) so tests of
   *   limit handling run fast; headers report the scaled numbers.
   */
  constructor(
    public enabled: boolean,
    private readonly windowScale = 1,
    private readonly now: () => number = Date.now,
  ) {}

  /** Decides one request. `major` is the top-level resource ('' when none). */
  check(spec: BucketSpec, major: string, exemptFromGlobal: boolean): RateLimitDecision {
    if (!this.enabled) return { headers: {} };
    const now = this.now();
    if (!exemptFromGlobal) {
      const globalWindow = 1000 * this.windowScale;
      if (now - this.#globalWindowStart >= globalWindow) {
        this.#globalWindowStart = now;
        this.#globalCount = 0;
      }
      if (this.#globalCount >= GLOBAL_LIMIT_PER_SECOND) {
        const retryAfterMs = this.#globalWindowStart + globalWindow - now;
        return {
          headers: { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)), 'X-RateLimit-Global': 'true', 'X-RateLimit-Scope': 'global' },
          limited: { body: { message: 'You are being rate limited.', retry_after: Number(seconds(retryAfterMs)), global: true }, scope: 'global' },
        };
      }
      this.#globalCount += 1;
    }
    const key = `${spec.name}|${major}`;
    let state = this.#buckets.get(key);
    if (!state || now >= state.resetAt) {
      state = { remaining: spec.limit, resetAt: now + spec.windowMs * this.windowScale };
      this.#buckets.set(key, state);
    }
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(spec.limit),
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': seconds(state.resetAt),
      'X-RateLimit-Reset-After': seconds(state.resetAt - now),
      'X-RateLimit-Bucket': bucketHash(spec.name),
    };
    if (state.remaining <= 0) {
      const retryAfterMs = state.resetAt - now;
      headers['Retry-After'] = String(Math.ceil(retryAfterMs / 1000));
      headers['X-RateLimit-Scope'] = 'user';
      return {
        headers,
        limited: { body: { message: 'You are being rate limited.', retry_after: Number(seconds(retryAfterMs)), global: false }, scope: 'user' },
      };
    }
    state.remaining -= 1;
    headers['X-RateLimit-Remaining'] = String(state.remaining);
    return { headers };
  }

  /** Forgets all bucket state (e.g. between benchmark phases). */
  reset(): void {
    this.#buckets.clear();
    this.#globalCount = 0;
  }
}
