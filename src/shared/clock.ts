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

/**
 * Durations, as the rate budget and the message editor measure them: token refills, edit leases
 * (stored in SQLite, so on the same scale in every process: the wall clock in production), waits and
 * retries. Kept apart from {@link Clock} — what day and hour it is for the community — so a test can
 * freeze the budget and count edits exactly while its evening runs on a clock of its own.
 */
export interface Timer {
  /** Unix milliseconds on the timer's scale. */
  now(): number;
  /** Calls `fn` once `ms` have passed; the returned function cancels it. Never keeps the process alive. */
  after(ms: number, fn: () => void): () => void;
}

/** Real time. */
export const systemTimer: Timer = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

/** Resolves once `ms` have passed on `timer`. */
export function sleep(timer: Timer, ms: number): Promise<void> {
  return new Promise((resolve) => timer.after(ms, resolve));
}

/** A timer that only moves when told to: every wait on it is visible ({@link pending}) and exact. */
export class ManualTimer implements Timer {
  private waits: { at: number; fn: () => void; seq: number }[] = [];
  private seq = 0;
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  after(ms: number, fn: () => void): () => void {
    const wait = { at: this.ms + Math.max(0, ms), fn, seq: this.seq++ };
    this.waits.push(wait);
    return () => (this.waits = this.waits.filter((w) => w !== wait));
  }
  /** How many waits have not come due yet. */
  get pending(): number {
    return this.waits.length;
  }
  /** Moves forward by `ms`, calling what comes due in time order. */
  advance(ms: number): void {
    const until = this.ms + ms;
    for (;;) {
      const due = this.waits.filter((w) => w.at <= until).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.waits = this.waits.filter((w) => w !== due);
      this.ms = Math.max(this.ms, due.at);
      due.fn();
    }
    this.ms = until;
  }
}
