import { DateTime } from 'luxon';
import type { Stay } from './queries.js';
import { overlapMs, presenceByUser } from '../shared/algorithms/said-showed.js';
import { localSlotBounds } from '../shared/time/slots.js';
import type { SlotTable } from './slots.js';

/** Hours said (declared slots) against hours shown (in voice during those slots). */
export interface SaidShowed {
  declaredMs: number;
  showedMs: number;
  slots: number;
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
      acc.showedMs += overlapMs(mine, b.start, b.end);
      acc.slots += 1;
    }
  }
  return out;
}

/** ISO weekday (1–7) of a guild-local slot start. */
export const weekdayOf = (start: number, zone: string) => DateTime.fromMillis(start, { zone }).weekday;
