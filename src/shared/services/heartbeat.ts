import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';

export const HEARTBEAT_INTERVAL_MS = 30_000;

/**
 * The bot's own liveness: one `heartbeats` row per process role, rewritten every ~30 s. After a
 * crash the last beat is the last moment the bot is known to have been watching, so stays left open
 * are closed there and never count the downtime.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private startedAt: number | undefined;

  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock; log: Logger; process: string; intervalMs?: number }) {}

  /** The last beat written by this process role (by a previous run, if this one has not beaten yet). */
  async last(): Promise<number | null> {
    const row = await this.deps.db.selectFrom('heartbeats').select('beat_at').where('process', '=', this.deps.process).executeTakeFirst();
    return row?.beat_at ?? null;
  }

  /** Writes "alive now". Tests call it directly with their clock; production on a timer. */
  async beat(): Promise<void> {
    const now = this.deps.clock.now();
    this.startedAt ??= now;
    await this.deps.db
      .insertInto('heartbeats')
      .values({ process: this.deps.process, beat_at: now, started_at: this.startedAt })
      .onConflict((oc) => oc.column('process').doUpdateSet({ beat_at: now, started_at: this.startedAt! }))
      .execute();
  }

  /** Beats now and then every interval until {@link stop}. The timer never keeps the process alive. */
  async start(): Promise<void> {
    this.stopTimer();
    await this.beat();
    this.timer = setInterval(() => {
      this.beat().catch((error: unknown) => this.deps.log.error({ err: error }, 'heartbeat failed'));
    }, this.deps.intervalMs ?? HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
