import type { Clock } from '../clock.js';

/**
 * A size-bounded map whose entries expire: the least recently used entry goes first when full,
 * and an entry older than `ttlMs` reads as absent. A Map keeps insertion order, so re-inserting on
 * read keeps the oldest-used entry first.
 */
export class LruCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  /** Stores since the last {@link sweep}. */
  private stores = 0;

  constructor(private readonly options: { max: number; ttlMs: number; clock: Clock }) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (this.options.clock.now() - entry.at >= this.options.ttlMs) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /**
   * Stores `value` as fetched at `at` (default now), evicting the least recently used entry when
   * full. Every `max / 4` stores, expired entries are dropped too: an entry nobody reads again
   * would otherwise hold its memory until the count pushed it out.
   */
  set(key: string, value: V, at = this.options.clock.now()): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at });
    while (this.entries.size > this.options.max) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    if (++this.stores >= Math.max(16, this.options.max / 4)) this.sweep();
  }

  /** Drops every expired entry now. */
  sweep(): void {
    this.stores = 0;
    if (!Number.isFinite(this.options.ttlMs)) return;
    const now = this.options.clock.now();
    for (const [key, entry] of this.entries) if (now - entry.at >= this.options.ttlMs) this.entries.delete(key);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
