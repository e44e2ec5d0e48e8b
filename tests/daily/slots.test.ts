import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { clockEmoji, slotAt, slotEnd, slotsFor } from '../../src/shared/time/slots.js';

const utc = (iso: string) => Math.floor(DateTime.fromISO(iso, { zone: 'UTC' }).toSeconds());

describe('hour slots of a daily message', () => {
  it('crosses midnight: 16 → 2 is eleven slots, the last three on the next day', () => {
    const slots = slotsFor('2026-11-23', 'America/New_York', 16, 2);
    expect(slots.map((s) => s.hour)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 0, 1, 2]);
    expect(slots.map((s) => s.dayOffset)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(slots[0]!.unix).toBe(utc('2026-11-23T21:00:00')); // EST = UTC−5
    expect(slots[10]!.unix).toBe(utc('2026-11-24T07:00:00'));
    expect(new Set(slots.map((s) => s.emoji)).size).toBe(11);
    expect(slots.map((s) => s.emoji).join('')).toBe('🕓🕔🕕🕖🕗🕘🕙🕚🕛🕐🕑');
  });

  it('uses clock faces 🕐…🕛 by hour', () => {
    expect([0, 1, 9, 12, 13, 21].map(clockEmoji)).toEqual(['🕛', '🕐', '🕘', '🕛', '🕐', '🕘']);
  });

  it('America/New_York, 2026-03-08 (spring forward that morning): evening slots are EDT, UTC−4', () => {
    const slots = slotsFor('2026-03-08', 'America/New_York', 16, 2);
    expect(slots[0]!.unix).toBe(utc('2026-03-08T20:00:00'));
    expect(slots.find((s) => s.hour === 21)!.unix).toBe(utc('2026-03-09T01:00:00'));
  });

  it('America/New_York, the night into 2026-03-08: 1 am is EST, 2 am does not exist and is no slot, 3 am is EDT', () => {
    const slots = slotsFor('2026-03-07', 'America/New_York', 20, 3);
    expect(slots.map((s) => s.hour)).toEqual([20, 21, 22, 23, 0, 1, 3]);
    expect(slots.map((s) => s.emoji).join('')).toBe('🕗🕘🕙🕚🕛🕐🕒');
    expect(slots[0]!.unix).toBe(utc('2026-03-08T01:00:00'));
    expect(slots.find((s) => s.hour === 1)!.unix).toBe(utc('2026-03-08T06:00:00'));
    expect(slots.find((s) => s.hour === 3)!.unix).toBe(utc('2026-03-08T07:00:00'));
    expect(new Set(slots.map((s) => s.unix)).size).toBe(slots.length);
    // 1 am ends when the clocks jump to 3 am: one real hour, and 3 am follows without a gap.
    const one = slots.find((s) => s.hour === 1)!;
    expect(slotEnd(one, 'America/New_York')).toBe(utc('2026-03-08T07:00:00'));
    expect(slotAt(slots, utc('2026-03-08T06:59:59') * 1000, 'America/New_York')?.hour).toBe(1);
    expect(slotAt(slots, utc('2026-03-08T07:00:00') * 1000, 'America/New_York')?.hour).toBe(3);
    // A range ending on the missing hour simply ends at 1 am that night.
    expect(slotsFor('2026-03-07', 'America/New_York', 20, 2).map((s) => s.hour)).toEqual([20, 21, 22, 23, 0, 1]);
  });

  it('America/New_York, 2026-11-01 (fall back that morning): evening slots are EST, UTC−5', () => {
    const slots = slotsFor('2026-11-01', 'America/New_York', 16, 2);
    expect(slots[0]!.unix).toBe(utc('2026-11-01T21:00:00'));
  });

  it('America/New_York, the night into 2026-11-01: 1 am starts at the first (EDT) one and covers both, 2 am is EST', () => {
    const slots = slotsFor('2026-10-31', 'America/New_York', 20, 2);
    expect(slots.find((s) => s.hour === 0)!.unix).toBe(utc('2026-11-01T04:00:00'));
    const one = slots.find((s) => s.hour === 1)!;
    expect(one.unix).toBe(utc('2026-11-01T05:00:00'));
    expect(slotEnd(one, 'America/New_York')).toBe(utc('2026-11-01T07:00:00')); // two real hours
    expect(slots.find((s) => s.hour === 2)!.unix).toBe(utc('2026-11-01T07:00:00'));
    // The repeated 1 am (1:00–2:00 EST, 06:00–07:00Z) belongs to slot 1, so auto-add finds it.
    expect(slotAt(slots, utc('2026-11-01T05:30:00') * 1000, 'America/New_York')?.hour).toBe(1);
    expect(slotAt(slots, utc('2026-11-01T06:30:00') * 1000, 'America/New_York')?.hour).toBe(1);
    expect(slotAt(slots, utc('2026-11-01T07:00:00') * 1000, 'America/New_York')?.hour).toBe(2);
  });

  it('Europe/Paris nights of the changes: 2 am is skipped on 2026-03-29, and covers two hours on 2026-10-25', () => {
    const spring = slotsFor('2026-03-28', 'Europe/Paris', 22, 4);
    expect(spring.map((s) => [s.hour, s.unix])).toEqual([
      [22, utc('2026-03-28T21:00:00')],
      [23, utc('2026-03-28T22:00:00')],
      [0, utc('2026-03-28T23:00:00')],
      [1, utc('2026-03-29T00:00:00')],
      [3, utc('2026-03-29T01:00:00')],
      [4, utc('2026-03-29T02:00:00')],
    ]);
    const autumn = slotsFor('2026-10-24', 'Europe/Paris', 22, 4);
    expect(autumn.map((s) => [s.hour, s.unix])).toEqual([
      [22, utc('2026-10-24T20:00:00')],
      [23, utc('2026-10-24T21:00:00')],
      [0, utc('2026-10-24T22:00:00')],
      [1, utc('2026-10-24T23:00:00')],
      [2, utc('2026-10-25T00:00:00')],
      [3, utc('2026-10-25T02:00:00')],
      [4, utc('2026-10-25T03:00:00')],
    ]);
    expect(slotAt(autumn, utc('2026-10-25T01:30:00') * 1000, 'Europe/Paris')?.hour).toBe(2);
  });

  it('Europe/Paris change days (2026-03-29 and 2026-10-25): 21:00 is 19:00Z in summer, 20:00Z in winter', () => {
    expect(slotsFor('2026-03-28', 'Europe/Paris', 21, 21)[0]!.unix).toBe(utc('2026-03-28T20:00:00'));
    expect(slotsFor('2026-03-29', 'Europe/Paris', 21, 21)[0]!.unix).toBe(utc('2026-03-29T19:00:00'));
    expect(slotsFor('2026-10-24', 'Europe/Paris', 21, 21)[0]!.unix).toBe(utc('2026-10-24T19:00:00'));
    expect(slotsFor('2026-10-25', 'Europe/Paris', 21, 21)[0]!.unix).toBe(utc('2026-10-25T20:00:00'));
  });

  it('finds the slot containing an instant, and none outside the evening', () => {
    const slots = slotsFor('2026-11-23', 'America/New_York', 16, 2);
    expect(slotAt(slots, utc('2026-11-24T02:59:59') * 1000, 'America/New_York')?.hour).toBe(21);
    expect(slotAt(slots, utc('2026-11-24T03:00:00') * 1000, 'America/New_York')?.hour).toBe(22);
    expect(slotAt(slots, utc('2026-11-23T20:59:59') * 1000, 'America/New_York')).toBeUndefined();
    expect(slotAt(slots, utc('2026-11-24T08:00:00') * 1000, 'America/New_York')).toBeUndefined();
  });
});
