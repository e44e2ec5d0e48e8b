/** One member's time in voice, as said-vs-showed needs it (a `Stay` fits). */
export interface PresenceStay {
  userId: string;
  start: number;
  end: number;
  /** 1 in the AFK channel (never counted as showing up); absent when the caller left AFK out. */
  afk?: number;
}

/** A member's time in voice as disjoint intervals, sorted by start. */
export interface Presence {
  starts: number[];
  ends: number[];
}

/**
 * Non-AFK stays per member, merged so overlapping stays (a move between channels, two sessions
 * recorded across a restart) are not counted twice. The base of "said vs showed": the stats'
 * reliability chart and the turnout forecast both ask it how long a member was in voice in an hour.
 */
export function presenceByUser(stays: readonly PresenceStay[]): Map<string, Presence> {
  const byUser = new Map<string, [number, number][]>();
  for (const s of stays) {
    if (s.afk) continue;
    let list = byUser.get(s.userId);
    if (!list) byUser.set(s.userId, (list = []));
    list.push([s.start, s.end]);
  }
  const out = new Map<string, Presence>();
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

/** Milliseconds of [a, b) a member spent in voice (binary search for the first interval, then a walk). */
export function overlapMs(p: Presence | undefined, a: number, b: number): number {
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
