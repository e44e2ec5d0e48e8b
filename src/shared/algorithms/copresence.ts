import { sortIndicesBy } from './argsort.js';

/** One member's time in one voice channel, clipped to a window (ms). */
export interface Stay {
  channelId: string;
  userId: string;
  start: number;
  end: number;
  /** 1 in the AFK channel (never counted as playing), else 0. */
  afk: number;
}

/** Time two members spent in the same voice channel at the same time. */
export interface PairTime {
  a: string;
  b: string;
  ms: number;
}

/**
 * Time together per pair of members, per channel, with a sweep over each channel's joins (by
 * start) and leaves (by end): O(n log n) for the sort plus, at every leave, one step per member
 * still in that channel. When a stay ends, its overlap with every stay still open in the channel is
 * final, so each overlapping pair of stays is counted exactly once, by whichever ends first.
 * AFK stays never count.
 */
export function coPresence(stays: readonly Stay[]): PairTime[] {
  const userIndex = new Map<string, number>();
  const users: string[] = [];
  const user = new Int32Array(stays.length);
  const byChannel = new Map<string, number[]>();
  stays.forEach((s, i) => {
    if (s.afk) return;
    let u = userIndex.get(s.userId);
    if (u === undefined) {
      u = users.length;
      userIndex.set(s.userId, u);
      users.push(s.userId);
    }
    user[i] = u;
    let list = byChannel.get(s.channelId);
    if (!list) byChannel.set(s.channelId, (list = []));
    list.push(i);
  });

  const n = users.length;
  // A dense n × n matrix is far faster than a Map while it stays small (500 members: 2 MB).
  const dense = n <= 2048 ? new Float64Array(n * n) : null;
  const together = new Map<number, number>();
  // Flat copies for the hot loop: property reads on 200k objects cost more than the arithmetic.
  const start = new Float64Array(stays.length);
  const end = new Float64Array(stays.length);
  stays.forEach((s, i) => {
    start[i] = s.start;
    end[i] = s.end;
  });
  const slot = new Int32Array(stays.length);
  const active = new Int32Array(stays.length);
  for (const joins of byChannel.values()) {
    sortIndicesBy(joins, start);
    const leaves = sortIndicesBy([...joins], end);
    let size = 0;
    let j = 0;
    for (const s of leaves) {
      const sEnd = end[s]!;
      const sStart = start[s]!;
      // Join everyone who arrived before this stay ends (a stay arriving exactly then never overlaps).
      while (j < joins.length && start[joins[j]!]! < sEnd) {
        const t = joins[j++]!;
        slot[t] = size;
        active[size++] = t;
      }
      const us = user[s]!;
      for (let k = 0; k < size; k++) {
        const t = active[k]!;
        const ut = user[t]!;
        if (ut === us) continue;
        const tStart = start[t]!;
        const ms = sEnd - (tStart > sStart ? tStart : sStart);
        if (ms <= 0) continue;
        const key = us < ut ? us * n + ut : ut * n + us;
        if (dense) dense[key] = dense[key]! + ms;
        else together.set(key, (together.get(key) ?? 0) + ms);
      }
      const at = slot[s]!;
      const last = active[--size]!;
      active[at] = last;
      slot[last] = at;
    }
  }
  // Most time first, ties in key order; sorted as indices into flat arrays, objects made once in order.
  const keys: number[] = [];
  const times: number[] = [];
  if (dense) {
    for (let key = 0; key < dense.length; key++) {
      const ms = dense[key]!;
      if (ms > 0) {
        keys.push(key);
        times.push(ms);
      }
    }
  } else {
    for (const [key, ms] of together) {
      keys.push(key);
      times.push(ms);
    }
  }
  const order = sortIndicesBy(
    Int32Array.from(keys, (_, i) => i),
    times,
    'descending',
  );
  const pairs: PairTime[] = new Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const key = keys[order[i]!]!;
    pairs[i] = { a: users[Math.floor(key / n)]!, b: users[key % n]!, ms: times[order[i]!]! };
  }
  return pairs;
}
