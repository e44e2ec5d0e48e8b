import type { Stay } from './queries.js';
import type { SlotTable } from './slots.js';

/** Voice time per local hour slot (ms), stays cut at the slots' DST-correct bounds. */
export function timePerSlot(stays: readonly Stay[], table: SlotTable): Float64Array {
  const total = new Float64Array(table.length);
  for (const s of stays) {
    if (s.afk) continue;
    table.split(s.start, s.end, (slot, ms) => (total[slot] = total[slot]! + ms));
  }
  return total;
}

/** Sums per-slot values by a label of the slot (its weekday, its month…), in first-seen order. */
export function groupSlots<K>(perSlot: Float64Array, keyOf: (slot: number) => K): Map<K, number> {
  const out = new Map<K, number>();
  for (let i = 0; i < perSlot.length; i++) {
    const key = keyOf(i);
    out.set(key, (out.get(key) ?? 0) + perSlot[i]!);
  }
  return out;
}

/**
 * Distinct members in voice per slot, counting a member once however many stays they had in it
 * and only when present for at least `minMs` of it in total.
 */
export function membersPerSlot(stays: readonly Stay[], table: SlotTable, minMs = 15 * 60_000): Uint16Array {
  const byUser = new Map<string, Stay[]>();
  for (const s of stays) {
    if (s.afk) continue;
    let list = byUser.get(s.userId);
    if (!list) byUser.set(s.userId, (list = []));
    list.push(s);
  }
  const count = new Uint16Array(table.length);
  const mine = new Float64Array(table.length);
  const touched: number[] = [];
  for (const list of byUser.values()) {
    for (const s of list) {
      table.split(s.start, s.end, (slot, ms) => {
        if (mine[slot] === 0) touched.push(slot);
        mine[slot] = mine[slot]! + ms;
      });
    }
    for (const slot of touched) {
      if (mine[slot]! >= minMs) count[slot] = count[slot]! + 1;
      mine[slot] = 0;
    }
    touched.length = 0;
  }
  return count;
}
