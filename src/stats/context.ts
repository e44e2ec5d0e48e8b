import type { Kysely } from 'kysely';
import type { Database } from '../shared/db/schema.js';
import { timePerSlot } from './buckets.js';
import { coPresence, type PairTime } from '../shared/algorithms/copresence.js';
import { DateTime } from 'luxon';
import { declaredDays, loadChannelNames, loadNames, loadStays, nameOf, type Stay } from './queries.js';
import type { StatsScope } from './scope.js';
import { SlotTable } from './slots.js';

/**
 * What several charts of one scope share, loaded once on first use: rendering `all` reads the
 * stays and runs the co-presence sweep once, not once per chart.
 */
export class StatsContext {
  private cache = new Map<string, Promise<unknown>>();

  constructor(
    readonly db: Kysely<Database>,
    readonly scope: StatsScope,
  ) {}

  /** Whether `key` was already loaded (or is loading), so a chart can reuse it instead of asking SQL. */
  has(key: 'playing' | 'pairs' | 'declared'): boolean {
    return this.cache.has(key);
  }

  private once<T>(key: string, load: () => Promise<T> | T): Promise<T> {
    let hit = this.cache.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = Promise.resolve().then(load);
      this.cache.set(key, hit);
    }
    return hit;
  }

  /** Stays in the window that count as playing (AFK left out in SQL), clipped to it. */
  playing(): Promise<Stay[]> {
    return this.once('playing', () => loadStays(this.db, this.scope, { playingOnly: true }));
  }

  /** Time together per pair, most first. */
  pairs(): Promise<PairTime[]> {
    return this.once('pairs', async () => coPresence(await this.playing()));
  }

  /**
   * Forgets the member and channel names, so the next chart reads them again: a context reused
   * from an earlier request must not show the id of a member the cache learnt about since (say,
   * the one who just asked for their own chart).
   */
  refreshNames(): void {
    this.cache.delete('names');
    this.cache.delete('channels');
  }

  names(): Promise<Map<string, string>> {
    return this.once('names', () => loadNames(this.db, this.scope.guildId));
  }

  async nameOf(userId: string): Promise<string> {
    return nameOf(await this.names(), userId);
  }

  channelNames(): Promise<Map<string, string>> {
    return this.once('channels', () => loadChannelNames(this.db, this.scope.guildId));
  }

  /** Guild-local dates of the window's first and last instant. */
  get dates(): { from: string; to: string } {
    const { zone, from, now } = this.scope;
    return { from: DateTime.fromMillis(from, { zone }).toISODate()!, to: DateTime.fromMillis(now, { zone }).toISODate()! };
  }

  /** Everyone's declared hours in the window, one row per member and date (hours as a bit mask). */
  declared(): Promise<{ userId: string; date: string; hours: number }[]> {
    return this.once('declared', () => declaredDays(this.db, this.scope, this.dates.from, this.dates.to));
  }

  /** Guild-local hour slots covering the window. */
  slots(): Promise<SlotTable> {
    return this.once('slots', () => new SlotTable(this.scope.zone, this.scope.from, this.scope.to));
  }

  /** Voice time per slot of {@link slots} (weekdays and months both group it). */
  timePerSlot(): Promise<Float64Array> {
    return this.once('timePerSlot', async () => timePerSlot(await this.playing(), await this.slots()));
  }
}
