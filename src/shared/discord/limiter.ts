import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { sleep, systemTimer, type Timer } from '../clock.js';
import type { Database } from '../db/schema.js';

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
  /**
   * The request that spent a token of `kind` for `id` has had its answer: the time it was on its way
   * refills nothing. A token counts from when it was taken, but Discord counts from when the request
   * arrives, and a busy process or a first request's new connection can put tens of ms between the
   * two — the reaction bucket (ours 300 ms, Discord's 250) has only 50 to spare. Counting the next
   * token from the answer is safe however late the request went out: it arrived before its answer.
   */
  finished(kind: BucketKind, id: string): Promise<void>;
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
  private readonly settle: SQLite.Statement<[number, string]>;

  constructor(
    sqlite: SQLite.Database,
    private readonly timer: Timer = systemTimer,
  ) {
    this.read = sqlite.prepare('select tokens, updated_at from rate_buckets where bucket = ?');
    this.write = sqlite.prepare('insert into rate_buckets (bucket, tokens, updated_at) values (?, ?, ?) on conflict(bucket) do update set tokens = excluded.tokens, updated_at = excluded.updated_at');
    // Returns 0 when a token was spent, else how long to wait for one.
    const spend = sqlite.transaction((key: string, spec: BucketSpec, now: number): number => {
      const { tokens, wait } = refill(this.read.get(key), spec, now);
      this.write.run(key, tokens, now);
      return wait;
    });
    this.attempt = (key, spec, now) => spend.immediate(key, spec, now);
    // Moving `updated_at` on without adding tokens: the time since refilled nothing.
    this.settle = sqlite.prepare('update rate_buckets set updated_at = max(updated_at, ?) where bucket = ?');
  }

  async take(kind: BucketKind, id: string): Promise<void> {
    await takeToken(this.timer, (now) => this.attempt(`${kind}:${id}`, BUCKETS[kind], now));
  }

  async finished(kind: BucketKind, id: string): Promise<void> {
    this.settle.run(this.timer.now(), `${kind}:${id}`);
  }
}

/**
 * The same token buckets in PostgreSQL's `rate_buckets`, shared by every process on every machine
 * using the server. Each take is one transaction that first makes sure the bucket's row exists
 * (`on conflict do nothing`: two first takers cannot both insert) and then locks it with
 * `SELECT … FOR UPDATE`, so a second process's take waits for the first one's commit and reads
 * what it spent — what `BEGIN IMMEDIATE` gives on SQLite, for one row instead of the whole file.
 * @see https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-ROWS
 */
export class PostgresRateBudget implements RateBudget {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly timer: Timer = systemTimer,
  ) {}

  async take(kind: BucketKind, id: string): Promise<void> {
    await takeToken(this.timer, (now) => this.attempt(`${kind}:${id}`, BUCKETS[kind], now));
  }

  async finished(kind: BucketKind, id: string): Promise<void> {
    await this.db
      .updateTable('rate_buckets')
      .set((eb) => ({ updated_at: eb.fn('greatest', [eb.ref('updated_at'), eb.val(this.timer.now())]) }))
      .where('bucket', '=', `${kind}:${id}`)
      .execute();
  }

  private attempt(key: string, spec: BucketSpec, now: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      // A new row is a full bucket as of now: the same as no row at all in `refill`.
      await trx
        .insertInto('rate_buckets')
        .values({ bucket: key, tokens: spec.capacity, updated_at: now })
        .onConflict((oc) => oc.column('bucket').doNothing())
        .execute();
      const row = await trx.selectFrom('rate_buckets').select(['tokens', 'updated_at']).where('bucket', '=', key).forUpdate().executeTakeFirstOrThrow();
      const { tokens, wait } = refill(row, spec, now);
      await trx.updateTable('rate_buckets').set({ tokens, updated_at: now }).where('bucket', '=', key).execute();
      return wait;
    });
  }
}

/**
 * Tries `attempt` (0: a token was spent as of `now`, else ms until one is there as of `now`) until it
 * spends one. The wait is until `now + wait`, not `wait` from when the answer came back: a round trip
 * to PostgreSQL takes time, and counting from its end would wait that much too long — or, on a timer
 * a test moves meanwhile, past the very step that was meant to wake it.
 */
async function takeToken(timer: Timer, attempt: (now: number) => number | Promise<number>): Promise<void> {
  for (;;) {
    const now = timer.now();
    const wait = await attempt(now);
    if (wait === 0) return;
    const left = now + wait - timer.now();
    if (left > 0) await sleep(timer, left);
  }
}

/**
 * One take from a bucket stored as `row` (none: full): the tokens to store as of `now`, and 0 when
 * a token was spent, else how many ms until one is there.
 */
function refill(row: { tokens: number; updated_at: number } | undefined, spec: BucketSpec, now: number): { tokens: number; wait: number } {
  const msPerToken = spec.periodMs / spec.capacity;
  const elapsed = row ? Math.max(0, now - row.updated_at) : Infinity;
  const tokens = Math.min(spec.capacity, (row?.tokens ?? spec.capacity) + elapsed / msPerToken);
  if (tokens >= 1) return { tokens: tokens - 1, wait: 0 };
  return { tokens, wait: Math.ceil((1 - tokens) * msPerToken) };
}
