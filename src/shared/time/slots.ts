import { DateTime } from 'luxon';
import { slotCount } from '../services/guild-config.js';

/** One hour of the evening on a given daily message. */
export interface Slot {
  /** Wall-clock hour in the guild zone, 0–23. */
  hour: number;
  /** Unix seconds at which this slot starts, for `<t:unix:t>`. */
  unix: number;
  /** 0 for hours on the message's date, 1 for hours after midnight. */
  dayOffset: 0 | 1;
  /** Clock-face reaction for this hour. */
  emoji: string;
}

/** 🕐 … 🕛, indexed by hour on a 12-hour face (index 0 = 12 o'clock). */
const CLOCK_FACES = ['🕛', '🕐', '🕑', '🕒', '🕓', '🕔', '🕕', '🕖', '🕗', '🕘', '🕙', '🕚'] as const;

export function clockEmoji(hour: number): string {
  return CLOCK_FACES[hour % 12]!;
}

/**
 * The slots of the message for `date` (YYYY-MM-DD, guild-local), first → last inclusive, crossing
 * midnight when last < first. Each start is computed from the wall-clock date and hour in `zone`
 * with Luxon — never as midnight + 3600 × n — so DST days are right:
 * - spring forward: an hour the clocks skip (2 am in New York on 2026-03-08) does not exist that
 *   night, so it is no slot of the message — no line, no reaction — rather than a second line with
 *   the same time as 3 am;
 * - fall back: 1 am starts at its first occurrence and, like every slot, lasts until the next
 *   wall-clock hour ({@link slotEnd}), so it covers both 1 am hours (two real hours).
 * Hours stay unique within a day, so hour ↔ emoji ↔ `availability.hour` stay one-to-one.
 */
export function slotsFor(date: string, zone: string, firstHour: number, lastHour: number): Slot[] {
  const day = DateTime.fromISO(date, { zone });
  if (!day.isValid) throw new Error(`invalid date ${date} in ${zone}`);
  const slots: Slot[] = [];
  for (const absolute of eveningHours(firstHour, lastHour)) {
    const hour = absolute % 24;
    const dayOffset = absolute >= 24 ? 1 : 0;
    const start = wallClock(day.plus({ days: dayOffset }), hour);
    // Luxon moves a time inside a spring-forward gap to after it: that hour is not on the clock tonight.
    if (start.hour !== hour) continue;
    slots.push({ hour, unix: Math.floor(start.toSeconds()), dayOffset, emoji: clockEmoji(hour) });
  }
  return slots;
}

/**
 * The configured hours first → last in evening order, counted from the evening's own midnight: 16 → 2
 * gives 16, 17, …, 23, 24, 25, 26 (24 and up are after midnight, on the next calendar date). The one
 * place the range's crossing of midnight is worked out; `% 24` gives the wall-clock hour.
 */
export function eveningHours(firstHour: number, lastHour: number): number[] {
  return Array.from({ length: slotCount(firstHour, lastHour) }, (_, i) => firstHour + i);
}

/**
 * The hours of a message first → last that fall on the next calendar date, as a bit mask (bit h =
 * hour h): 16 → 2 gives hours 0, 1 and 2. `availability` keeps them under the message's date.
 */
export function afterMidnightMask(firstHour: number, lastHour: number): number {
  let mask = 0;
  for (const absolute of eveningHours(firstHour, lastHour)) if (absolute >= 24) mask |= 1 << (absolute - 24);
  return mask;
}

/** `hour`:00 on `day`'s calendar date in its zone (the first occurrence when the clocks repeat it). */
function wallClock(day: DateTime, hour: number): DateTime {
  return day.set({ hour, minute: 0, second: 0, millisecond: 0 });
}

/**
 * Unix seconds at which `slot` ends: the start of the next wall-clock hour, so a slot is one real
 * hour long except across a DST change (two hours for the repeated hour of a fall-back night).
 */
export function slotEnd(slot: Slot, zone: string): number {
  const start = DateTime.fromSeconds(slot.unix, { zone });
  const next = slot.hour === 23 ? wallClock(start.plus({ days: 1 }), 0) : wallClock(start, slot.hour + 1);
  return Math.floor(next.toSeconds());
}

/** The slot that contains `atMs`, if any (a slot lasts until the next wall-clock hour). */
export function slotAt(slots: readonly Slot[], atMs: number, zone: string): Slot | undefined {
  const at = Math.floor(atMs / 1000);
  return slots.find((slot) => at >= slot.unix && at < slotEnd(slot, zone));
}

/** The guild-local calendar date (YYYY-MM-DD) at `atMs`. */
export function localDate(atMs: number, zone: string): string {
  return DateTime.fromMillis(atMs, { zone }).toISODate()!;
}

/** Unix ms of `HH:MM` on `date` in `zone` (a time skipped by DST moves forward, as Luxon does). */
export function localTimeOn(date: string, hhmm: string, zone: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return DateTime.fromISO(date, { zone }).set({ hour: h, minute: m, second: 0, millisecond: 0 }).toMillis();
}

/** ISO weekday (1 = Monday) of a YYYY-MM-DD date. */
export function weekdayOf(date: string): number {
  return DateTime.fromISO(date, { zone: 'UTC' }).weekday;
}

/**
 * The instants a guild-local hour slot spans: from `date hour:00` to the next `HH:00` on the local
 * clock. Spring-forward's missing hour has zero length; fall-back's doubled hour lasts two hours.
 */
export function localSlotBounds(date: string, hour: number, zone: string): { start: number; end: number } {
  const day = DateTime.fromISO(date, { zone });
  const start = day.set({ hour });
  const end = hour === 23 ? day.plus({ days: 1 }).startOf('day') : day.set({ hour: hour + 1 });
  // Luxon moves a nonexistent local time (spring-forward) forward; clamp so the slot is empty.
  const s = start.toMillis();
  return { start: s, end: Math.max(s, end.toMillis()) };
}

/**
 * {@link localSlotBounds} for every hour of `date` at once (index = hour), for two Luxon calls a
 * day instead of two an hour: a local day exactly 24 hours long has no clock change in it, so its
 * hours are 3600 s apart; only a DST day is asked of Luxon hour by hour.
 */
export function dayHourBounds(date: string, zone: string): { start: number; end: number }[] {
  const day = DateTime.fromISO(date, { zone });
  const start = day.toMillis();
  if (day.hour === 0 && day.plus({ days: 1 }).toMillis() - start === 24 * 3_600_000) {
    return Array.from({ length: 24 }, (_, h) => ({ start: start + h * 3_600_000, end: start + (h + 1) * 3_600_000 }));
  }
  return Array.from({ length: 24 }, (_, h) => localSlotBounds(date, h, zone));
}
