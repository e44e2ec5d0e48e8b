import { DateTime } from 'luxon';
import type { Stay } from './queries.js';
import { localSlotBounds, type SlotTable } from './slots.js';

/** Hours said (declared slots) against hours shown (in voice during those slots). */
export interface SaidShowed {
  declaredMs: number;
  showedMs: number;
  slots: number;
}

/** Non-AFK stays per member, merged so overlapping stays are not counted twice. */
function presenceByUser(stays: readonly Stay[]): Map<string, { starts: number[]; ends: number[] }> {
  const byUser = new Map<string, [number, number][]>();
  for (const s of stays) {
    if (s.afk) continue;
    let list = byUser.get(s.userId);
    if (!list) byUser.set(s.userId, (list = []));
    list.push([s.start, s.end]);
  }
  const out = new Map<string, { starts: number[]; ends: number[] }>();
  for (const [user, list] of byUser) {
    list.sort((a, b) => a[0] - b[0]);
    const starts: number[] = [];
    const ends: number[] = [];
    for (const [a, b] of list) {
      if (ends.length > 0 && a <= ends[ends.length - 1]!) ends[ends.length - 1] = Math.max(ends[ends.length - 1]!, b);
      else {
        starts.push(a);
        ends.push(b);
      }
    }
    out.set(user, { starts, ends });
  }
  return out;
}

function overlap(p: { starts: number[]; ends: number[] } | undefined, a: number, b: number): number {
  if (!p) return 0;
  // First interval that ends after a.
  let lo = 0;
  let hi = p.ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (p.ends[mid]! <= a) lo = mid + 1;
    else hi = mid;
  }
  let ms = 0;
  for (let i = lo; i < p.starts.length && p.starts[i]! < b; i++) ms += Math.min(b, p.ends[i]!) - Math.max(a, p.starts[i]!);
  return ms;
}

/**
 * For every declared slot (`hours`: bit h set = hour h declared on that date) that has fully passed inside [from, now], how long the member was in
 * voice during it. `date` is the calendar date the hour falls on (`declaredDays` in queries.ts moves a daily
 * message's after-midnight hours to the next day). A slot is a guild-local hour on a date, bounded with Luxon (so the doubled
 * fall-back hour is two hours long and the skipped spring-forward hour is dropped). Results are
 * grouped by `keyOf` (the member, or the weekday for one member's view).
 */
export function saidVsShowed<K>(
  declared: readonly { userId: string; date: string; hours: number }[],
  stays: readonly Stay[],
  table: SlotTable,
  from: number,
  now: number,
  keyOf: (userId: string, start: number) => K,
): Map<K, SaidShowed> {
  const presence = presenceByUser(stays);
  const out = new Map<K, SaidShowed>();
  for (const d of declared) {
    const mine = presence.get(d.userId);
    for (let hour = 0; hour < 24; hour++) {
      if ((d.hours & (1 << hour)) === 0) continue;
      // The table answers for dates in the window; anything else is asked of Luxon directly.
      const b = table.hourBounds(d.date, hour) ?? localSlotBounds(d.date, hour, table.zone);
      if (b.end <= b.start || b.start < from || b.end > now) continue;
      const key = keyOf(d.userId, b.start);
      let acc = out.get(key);
      if (!acc) out.set(key, (acc = { declaredMs: 0, showedMs: 0, slots: 0 }));
      acc.declaredMs += b.end - b.start;
      acc.showedMs += overlap(mine, b.start, b.end);
      acc.slots += 1;
    }
  }
  return out;
}

/** ISO weekday (1–7) of a guild-local slot start. */
export const weekdayOf = (start: number, zone: string) => DateTime.fromMillis(start, { zone }).weekday;
