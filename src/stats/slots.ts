import { DateTime } from 'luxon';

const HOUR_MS = 3_600_000;

/**
 * The wall-clock hours of a zone between two instants, in order. Built with Luxon, so a DST day
 * has 23 or 25 slots and a slot's bounds are the instants the local clock reads `HH:00` — never
 * midnight + 3600 × n. Stays are cut along these bounds with {@link SlotTable.split}.
 */
export class SlotTable {
  /** Slot i covers [starts[i], starts[i + 1]); the extra last entry closes the table. */
  readonly starts: number[] = [];
  readonly dates: string[] = [];
  /** ISO weekday 1 (Monday) … 7. */
  readonly weekdays: number[] = [];
  readonly hours: number[] = [];
  readonly months: string[] = [];

  constructor(
    readonly zone: string,
    from: number,
    to: number,
  ) {
    // Luxon finds each local day's bounds. A day exactly 24 h long has no clock change, so its
    // hours are 3600 s apart; only the few DST days are walked hour by hour with Luxon.
    let day = DateTime.fromMillis(from, { zone }).startOf('day');
    let end = day.toMillis();
    while (day.toMillis() < to) {
      const next = day.plus({ days: 1 }).startOf('day');
      const date = day.toISODate()!;
      const weekday = day.weekday;
      const month = date.slice(0, 7);
      const dayStart = day.toMillis();
      end = next.toMillis();
      const push = (start: number, hour: number) => {
        this.starts.push(start);
        this.dates.push(date);
        this.weekdays.push(weekday);
        this.hours.push(hour);
        this.months.push(month);
      };
      if (end - dayStart === 24 * HOUR_MS) {
        for (let h = 0; h < 24; h++) push(dayStart + h * HOUR_MS, h);
      } else {
        let dt = day;
        while (dt.toMillis() < end) {
          push(dt.toMillis(), dt.hour);
          let step = dt.plus({ hours: 1 });
          // Zones with half-hour DST shifts land off the hour; snap back without going backwards.
          if (step.minute !== 0) step = step.startOf('hour');
          if (step.toMillis() <= dt.toMillis()) step = DateTime.fromMillis(dt.toMillis() + HOUR_MS, { zone });
          dt = step;
        }
      }
      day = next;
    }
    this.starts.push(end);
    this.trim(from, to);
  }

  /** Drops whole slots outside [from, to) (the table is built from whole local days). */
  private trim(from: number, to: number): void {
    let first = 0;
    while (first < this.length && this.starts[first + 1]! <= from) first++;
    let last = this.length;
    while (last > first && this.starts[last - 1]! >= to) last--;
    for (const list of [this.dates, this.weekdays, this.hours, this.months] as unknown[][]) {
      list.splice(last);
      list.splice(0, first);
    }
    this.starts.splice(last + 1);
    this.starts.splice(0, first);
  }

  private byDate: Map<string, Float64Array> | undefined;

  /**
   * Bounds of the local hour `hour` on `date`, the same as {@link localSlotBounds} but from the
   * table: the doubled fall-back hour spans both its slots, the skipped hour is undefined.
   */
  hourBounds(date: string, hour: number): { start: number; end: number } | undefined {
    if (!this.byDate) {
      this.byDate = new Map();
      for (let i = 0; i < this.length; i++) {
        let day = this.byDate.get(this.dates[i]!);
        if (!day) this.byDate.set(this.dates[i]!, (day = new Float64Array(48).fill(Number.NaN)));
        const h = this.hours[i]!;
        if (Number.isNaN(day[h * 2]!)) day[h * 2] = this.starts[i]!;
        day[h * 2 + 1] = this.starts[i + 1]!;
      }
    }
    const day = this.byDate.get(date);
    const start = day?.[hour * 2];
    if (start === undefined || Number.isNaN(start)) return undefined;
    return { start, end: day![hour * 2 + 1]! };
  }

  get length(): number {
    return this.starts.length - 1;
  }

  /** Index of the slot holding instant `t`, or -1 outside the table. */
  indexOf(t: number): number {
    const s = this.starts;
    if (t < s[0]! || t >= s[s.length - 1]!) return -1;
    let lo = 0;
    let hi = s.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Calls `visit(slot, ms)` for every slot [start, end) overlaps, with the overlap in ms. */
  split(start: number, end: number, visit: (slot: number, ms: number) => void): void {
    const s = this.starts;
    const first = s[0]!;
    const last = s[s.length - 1]!;
    const a = Math.max(start, first);
    const b = Math.min(end, last);
    if (b <= a) return;
    for (let i = this.indexOf(a); i < s.length - 1 && s[i]! < b; i++) {
      const ms = Math.min(b, s[i + 1]!) - Math.max(a, s[i]!);
      if (ms > 0) visit(i, ms);
    }
  }
}
