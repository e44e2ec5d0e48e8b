/**
 * Sharding as Discord does it: `GET /gateway/bot` recommends a shard count (about one shard per
 * 1 000 guilds) and says how many session starts (IDENTIFYs) are left today; IDENTIFY carries
 * `shard: [shard_id, num_shards]`, and each guild's events go only to shard
 * `(guild_id >> 22) % num_shards`. A shard that is not one (`[2, 2]`) is closed with 4010; a session
 * that would hold more guilds than one shard may is closed with 4011.
 * @see https://discord.com/developers/docs/events/gateway#sharding
 * @see https://discord.com/developers/docs/events/gateway#session-start-limit-object
 */

export interface ShardingOptions {
  /** Guilds one session may hold before IDENTIFY is closed with 4011 (Discord: 2 500). */
  maxGuildsPerShard?: number;
  /** `GET /gateway/bot`'s `shards` (default: one per 1 000 guilds, at least 1). */
  recommendedShards?: number;
  /** Session starts allowed per window (default 1 000, as for most bots). */
  sessionStartTotal?: number;
  /** The window's length: the budget refills this long after its first IDENTIFY (default 24 h, as Discord; tests shorten it). */
  sessionStartResetMs?: number;
}

/** Discord's limits: sharding is required past 2 500 guilds per shard, recommended at 1 000. */
export const DISCORD_MAX_GUILDS_PER_SHARD = 2_500;
const GUILDS_PER_RECOMMENDED_SHARD = 1_000;
export const DAY_MS = 24 * 60 * 60_000;

export type ShardCheck = { ok: true; shard: [number, number] } | { ok: false; code: 'invalid' | 'required' };

/** The `shard` an IDENTIFY asked for (default `[0, 1]`) and whether it may have it. */
export function checkShard(requested: unknown, guildsOnShard: (shard: [number, number]) => number, maxGuildsPerShard: number): ShardCheck {
  const shard = requested ?? [0, 1];
  if (!Array.isArray(shard) || shard.length !== 2 || !Number.isInteger(shard[0]) || !Number.isInteger(shard[1]) || shard[1] < 1 || shard[0] < 0 || shard[0] >= shard[1]) {
    return { ok: false, code: 'invalid' };
  }
  const pair: [number, number] = [shard[0], shard[1]];
  if (guildsOnShard(pair) > maxGuildsPerShard) return { ok: false, code: 'required' };
  return { ok: true, shard: pair };
}

/**
 * The session start budget: every IDENTIFY spends one; the budget refills a window (24 h) after the
 * first. Discord does not refuse an IDENTIFY past it: it ends every session of the bot and resets
 * the token (the gateway server does that when {@link left} is 0).
 */
export class SessionStarts {
  #used = 0;
  #windowStart: number | null = null;

  constructor(
    readonly total: number,
    readonly windowMs = DAY_MS,
  ) {}

  /** Session starts left now. */
  left(now: number): number {
    this.#roll(now);
    return Math.max(0, this.total - this.#used);
  }

  /** As if other processes had spent the whole budget: none left for `resetAfterMs` (fault injection). */
  exhaust(now: number, resetAfterMs: number): void {
    this.#windowStart = now - this.windowMs + resetAfterMs;
    this.#used = this.total;
  }

  spend(now: number): void {
    this.#roll(now);
    this.#windowStart ??= now;
    this.#used += 1;
  }

  /** `session_start_limit` as `GET /gateway/bot` answers it. */
  limit(now: number): { total: number; remaining: number; reset_after: number; max_concurrency: number } {
    this.#roll(now);
    return {
      total: this.total,
      remaining: Math.max(0, this.total - this.#used),
      reset_after: this.#windowStart === null ? 0 : this.#windowStart + this.windowMs - now,
      max_concurrency: 1,
    };
  }

  #roll(now: number): void {
    if (this.#windowStart !== null && now - this.#windowStart >= this.windowMs) {
      this.#windowStart = null;
      this.#used = 0;
    }
  }
}

/** `GET /gateway/bot`'s `shards`: the option, else one shard per 1 000 guilds. */
export function recommendedShards(guilds: number, option?: number): number {
  return option ?? Math.max(1, Math.ceil(guilds / GUILDS_PER_RECOMMENDED_SHARD));
}
