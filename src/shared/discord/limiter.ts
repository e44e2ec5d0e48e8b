import type SQLite from 'better-sqlite3';
import { sleep, systemTimer, type Timer } from '../clock.js';

/**
 * A token bucket: `capacity` tokens, refilled continuously at `capacity / periodMs`.
 * Sized below Discord's published limits so the bot never earns a 429 in normal use.
 */
export interface BucketSpec {
  capacity: number;
  periodMs: number;
}

/**
 * Rollcall's own limits, per channel, each below Discord's so the bot never earns a 429 — not even
 * the one @discordjs/rest earns when it first learns a bucket's hash and starts a fresh queue.
 * - edit: Discord allows 5 edits per 5 s per channel; one per 1.25 s keeps any 5-second window at
 *   4 however two processes interleave, and still shows the last click of a burst within ~1.3 s.
 * - reaction: adding/removing reactions is 1 per 0.25 s per channel; we use 0.3 s.
 * - create: 5 messages per 5 s per channel; we use one per 1.1 s.
 * - member: background re-fetches of guild members (rank emoji after a promotion), per guild: one
 *   per second, a small share of the global 50 requests/s, so lookups that a member waits for
 *   (a reaction from someone never seen) always find room.
 * - dm: opening DM channels (reminders, notices), for the whole bot: a burst of 5, then one per
 *   second. Discord publishes no figure for DMs and treats bursts of them as spam.
 * @see https://discord.com/developers/docs/topics/rate-limits
 */
export const BUCKETS = {
  edit: { capacity: 1, periodMs: 1_250 },
  reaction: { capacity: 1, periodMs: 300 },
  create: { capacity: 1, periodMs: 1_100 },
  member: { capacity: 1, periodMs: 1_000 },
  dm: { capacity: 5, periodMs: 5_000 },
} as const satisfies Record<string, BucketSpec>;

export type BucketKind = keyof typeof BUCKETS;

/** Waits for and spends one token of bucket `kind` for `id` (a channel id; a guild id for `member`). */
export interface RateBudget {
  take(kind: BucketKind, id: string): Promise<void>;
}

/**
 * Token buckets whose state lives in SQLite (`rate_buckets`), so the HTTP and gateway processes
 * sharing one database file share one budget. Each take is one `BEGIN IMMEDIATE` transaction:
 * two processes can never spend the same token.
 */
export class SqliteRateBudget implements RateBudget {
  private readonly read: SQLite.Statement<[string], { tokens: number; updated_at: number }>;
  private readonly write: SQLite.Statement<[string, number, number]>;
  private readonly attempt: (key: string, spec: BucketSpec, now: number) => number;

  constructor(
    sqlite: SQLite.Database,
    private readonly timer: Timer = systemTimer,
  ) {
    this.read = sqlite.prepare('select tokens, updated_at from rate_buckets where bucket = ?');
    this.write = sqlite.prepare('insert into rate_buckets (bucket, tokens, updated_at) values (?, ?, ?) on conflict(bucket) do update set tokens = excluded.tokens, updated_at = excluded.updated_at');
    // Returns 0 when a token was spent, else how long to wait for one.
    const spend = sqlite.transaction((key: string, spec: BucketSpec, now: number): number => {
      const msPerToken = spec.periodMs / spec.capacity;
      const row = this.read.get(key);
      const elapsed = row ? Math.max(0, now - row.updated_at) : Infinity;
      const tokens = Math.min(spec.capacity, (row?.tokens ?? spec.capacity) + elapsed / msPerToken);
      if (tokens >= 1) {
        this.write.run(key, tokens - 1, now);
        return 0;
      }
      this.write.run(key, tokens, now);
      return Math.ceil((1 - tokens) * msPerToken);
    });
    this.attempt = (key, spec, now) => spend.immediate(key, spec, now);
  }

  async take(kind: BucketKind, id: string): Promise<void> {
    for (;;) {
      const wait = this.attempt(`${kind}:${id}`, BUCKETS[kind], this.timer.now());
      if (wait === 0) return;
      await sleep(this.timer, wait);
    }
  }
}
