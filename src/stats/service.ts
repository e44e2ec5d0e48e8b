import type { Kysely } from 'kysely';
import type { Clock } from '../shared/clock.js';
import type { Database } from '../shared/db/schema.js';
import type { ChartRequest, ChartResult } from './catalog.js';
import type { ChartProgress } from './produce.js';
import { ChartWorker } from './worker-pool.js';

/** A chart as asked by a person: the service adds "now" and who is left out. */
export type ChartAsk = Omit<ChartRequest, 'now'>;

export interface StatsServiceDeps {
  /** The SQLite file the render worker reads. */
  databasePath: string;
  clock: Clock;
  /**
   * Members to leave out of every chart of a guild (the privacy opt-out, when it exists). Merged
   * into each request here, and applied in SQL by the scope: one door for the whole feature.
   */
  excludedUserIds?: (guildId: string) => Promise<readonly string[]> | readonly string[];
  /**
   * Draw on the calling thread with this database instead of in the worker (the CLI, which has
   * nothing else to do meanwhile). Default: the render worker.
   */
  inline?: Kysely<Database>;
}

/**
 * Charts about a guild's voice life: plain ids in, PNGs (or the reason there is nothing to draw)
 * out. Knows nothing of Discord; `/stats` and `npm run stats` are its two faces.
 */
export class StatsService {
  private readonly worker = new ChartWorker();

  constructor(private readonly deps: StatsServiceDeps) {}

  async chart(ask: ChartAsk): Promise<ChartResult> {
    const [result] = await this.charts([ask]);
    return result!;
  }

  /** Several charts in one go, sharing loaded data; `onResult` fires as each one is ready. */
  async charts(asks: readonly ChartAsk[], onResult?: ChartProgress): Promise<ChartResult[]> {
    const now = this.deps.clock.now();
    const excluded = new Map<string, readonly string[]>();
    for (const guildId of new Set(asks.map((a) => a.guildId))) excluded.set(guildId, (await this.deps.excludedUserIds?.(guildId)) ?? []);
    const requests = asks.map((a) => ({ ...a, now, excludedUserIds: [...(a.excludedUserIds ?? []), ...excluded.get(a.guildId)!] }));
    if (this.deps.inline) {
      const { produceCharts } = await import('./produce.js');
      return produceCharts(this.deps.inline, requests, onResult);
    }
    return this.worker.run(this.deps.databasePath, requests, onResult);
  }

  /** Loads the worker ahead of the first request. */
  warmUp(): Promise<void> {
    return this.deps.inline ? Promise.resolve() : this.worker.warmUp();
  }

  close(): Promise<void> {
    return this.worker.close();
  }
}
