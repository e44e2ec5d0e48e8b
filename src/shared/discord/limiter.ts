/**
 * Token buckets keyed by a string (a channel id, say): `capacity` tokens, refilled continuously at
 * `capacity / periodMs`. `take(key)` resolves when a token was spent, waiting if none is left.
 * Sized below Discord's published limits so the bot never earns a 429 in normal use.
 */
export interface BucketSpec {
  capacity: number;
  periodMs: number;
}

export interface RateBudget {
  /** Waits until `key` has a token and spends it. */
  take(key: string): Promise<void>;
  /** How long `take(key)` would wait now, in ms (0 when a token is ready). */
  waitMs(key: string): number;
}

interface BucketState {
  tokens: number;
  updatedAt: number;
  queue: Promise<void>;
}

export class TokenBuckets implements RateBudget {
  private readonly buckets = new Map<string, BucketState>();

  constructor(
    private readonly spec: BucketSpec,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  waitMs(key: string): number {
    const state = this.refill(key);
    return state.tokens >= 1 ? 0 : Math.ceil((1 - state.tokens) * this.msPerToken());
  }

  take(key: string): Promise<void> {
    const state = this.refill(key);
    // Serialise takers per key so they are served in arrival order.
    const turn = state.queue.then(async () => {
      const wait = this.waitMs(key);
      if (wait > 0) await this.sleep(wait);
      this.refill(key).tokens -= 1;
    });
    state.queue = turn.catch(() => undefined);
    return turn;
  }

  private msPerToken(): number {
    return this.spec.periodMs / this.spec.capacity;
  }

  private refill(key: string): BucketState {
    const now = this.now();
    let state = this.buckets.get(key);
    if (!state) {
      state = { tokens: this.spec.capacity, updatedAt: now, queue: Promise.resolve() };
      this.buckets.set(key, state);
      if (this.buckets.size > 10_000) this.evictFull(now);
      return state;
    }
    state.tokens = Math.min(this.spec.capacity, state.tokens + (now - state.updatedAt) / this.msPerToken());
    state.updatedAt = now;
    return state;
  }

  /** Buckets that are full again carry no information; drop them so the map stays small. */
  private evictFull(now: number): void {
    for (const [key, state] of this.buckets) {
      if (state.tokens + (now - state.updatedAt) / this.msPerToken() >= this.spec.capacity) this.buckets.delete(key);
    }
  }
}
