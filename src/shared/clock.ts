/**
 * Time as the bot sees it. Production uses the wall clock; tests and the sandbox inject one they
 * can move, so a whole evening (post time, hour boundaries, next day) runs in milliseconds.
 */
export interface Clock {
  /** Unix milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  set(ms: number): void {
    this.ms = ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * The wall clock shifted by an offset that only grows: time keeps running, and the sandbox can
 * jump it forward (to the next post time, the next hour) to watch an evening without waiting.
 */
export class OffsetClock implements Clock {
  private offsetMs = 0;
  constructor(startMs: number = Date.now()) {
    this.offsetMs = startMs - Date.now();
  }
  now(): number {
    return Date.now() + this.offsetMs;
  }
  /** Moves forward by `ms` (≥ 0): a clock the bot trusts never runs backwards. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`the clock only moves forward (got ${ms} ms)`);
    this.offsetMs += ms;
  }
}
