import { TURNOUT_MODEL } from '../../src/shared/services/turnout-model.js';

/** Wednesday 18 November 2026: the day forecast. */
export const TODAY = '2026-11-18';
export const WEDNESDAY = 3;
const K = TURNOUT_MODEL.memberStrength;
/** How much an hour declared `age` days before today counts. */
export const w = (age: number) => 0.5 ** (age / TURNOUT_MODEL.halfLifeDays);
/** Beta-binomial posterior mean: `shows` of `says` (weighted), with `k` hours of `prior` added. */
export const shrink = (shows: number, says: number, prior: number, k = K) => (shows + k * prior) / (says + k);

type Who = 'alice' | 'bob' | 'carol' | 'dan' | 'erin';
/** Writes rows as the bot would have: a declaration on a message date, a voice stay in local time. */
export interface HistoryWriter {
  declare(who: Who, date: string, hour: number, how: 'reaction' | 'schedule' | 'out'): Promise<void>;
  stay(who: Who, channel: 'squadA' | 'squadB' | 'afk', from: string, to: string, afk: boolean): Promise<void>;
}

/**
 * Known records, all on messages before today (dates are message dates, local times):
 * - Alice: Wed 11 Nov said 20 and 21, came 20:00–22:00 (2 of 2); Tue 17 Nov said 20 and 21, never came (0 of 2).
 * - Bob: Tue 17 Nov said 20–23 (23 from his schedule), came 20:10–21:30 (20 and 21: 2 of 4).
 * - Carol: Fri 13 → Mon 16 said 20–23 each evening and played 20:00–23:59 (16 of 16).
 * - Erin: Tue 17 Nov said 20–23, never came (0 of 4); she sat in the AFK channel, which is not playing.
 * - Dan: said "not tonight" on the 17th, which is no promise.
 * 28 declared hours in all (the model needs 20).
 */
export async function writeHistory(h: HistoryWriter): Promise<void> {
  for (const hour of [20, 21]) await h.declare('alice', '2026-11-11', hour, 'reaction');
  await h.stay('alice', 'squadA', '2026-11-11T20:00', '2026-11-11T22:00', false);
  for (const hour of [20, 21]) await h.declare('alice', '2026-11-17', hour, 'reaction');
  for (const hour of [20, 21, 22, 23]) await h.declare('bob', '2026-11-17', hour, hour === 23 ? 'schedule' : 'reaction');
  await h.stay('bob', 'squadA', '2026-11-17T20:10', '2026-11-17T21:30', false);
  for (const date of ['2026-11-13', '2026-11-14', '2026-11-15', '2026-11-16']) {
    for (const hour of [20, 21, 22, 23]) await h.declare('carol', date, hour, 'reaction');
    await h.stay('carol', 'squadB', `${date}T20:00`, `${date}T23:59`, false);
  }
  for (const hour of [20, 21, 22, 23]) await h.declare('erin', '2026-11-17', hour, 'reaction');
  await h.declare('dan', '2026-11-17', 20, 'out');
  await h.stay('erin', 'afk', '2026-11-17T20:00', '2026-11-17T23:00', true);
}

/** The same records by hand, as the README's formulas read them: each one's chance on a Wednesday. */
export function expected(withErin: boolean) {
  const carol = 4 * (w(2) + w(3) + w(4) + w(5));
  const shows = 2 * w(7) + 2 * w(1) + carol;
  const says = 2 * w(7) + 2 * w(1) + 4 * w(1) + carol + (withErin ? 4 * w(1) : 0);
  const prior = shows / says;
  const aliceOverall = shrink(2 * w(7), 2 * w(7) + 2 * w(1), prior);
  const alice = shrink(2 * w(7), 2 * w(7), aliceOverall); // her Wednesdays: 2 of 2
  const bob = shrink(2 * w(1), 4 * w(1), prior); // no Wednesday: his overall rate
  const erin = shrink(0, 4 * w(1), prior);
  return { prior, alice, bob, erin };
}
