/**
 * The turnout forecast's model: for a member who declared an hour, the chance they are in voice
 * during it. Pure arithmetic over past observations, no I/O, so the daily message, `/stats
 * best-window` and `npm run bench -- forecast` all run the same function. README "Turnout forecast"
 * explains it for members.
 *
 * Each past declared hour is one observation: said (always) and showed (in voice at some moment of
 * that hour, outside the AFK channel). With weights that halve every `halfLifeDays` (members change:
 * a recent evening says more than one last spring):
 *
 * - guild prior      g      = Σ w·showed / Σ w over everyone's hours;
 * - member           p_m    = (S_m + K_m · g)   / (N_m + K_m);
 * - member × weekday p_{m,d} = (S_md + K_d · p_m) / (N_md + K_d);
 *
 * where S and N are a member's weighted shows and says (all weekdays, or that weekday only). It is
 * the posterior mean of a Beta-binomial whose prior holds K hours' worth of the level above: with
 * no history a member gets g (a new member) or p_m (a weekday never declared); with many hours
 * their own rate wins. The weekday is that of the calendar date the hour falls on (01:00 after
 * Friday's message is Saturday), as in `/stats reliability`.
 */

/** The model's few numbers, tuned once on `npm run bench -- forecast` and explained in the README. */
export const TURNOUT_MODEL = {
  /** Only declared hours of the last this many days count (older ones weigh little anyway). */
  historyDays: 180,
  /** An hour declared this many days ago counts half as much as one declared yesterday. */
  halfLifeDays: 60,
  /** K_m: how many hours of the guild's rate a member's own record starts with. */
  memberStrength: 12,
  /** K_d: how many hours of the member's overall rate a weekday's record starts with. */
  weekdayStrength: 12,
  /** Below this many declared hours in the history, the guild has no rate worth showing. */
  minHistoryHours: 20,
} as const;

export type TurnoutParams = { readonly [K in keyof typeof TURNOUT_MODEL]: number };

/** One past declared hour: who said it, on which daily message, and whether they showed. */
export interface TurnoutObservation {
  userId: string;
  /** The daily message's date as days since 1970-01-01 ({@link dayNumber}). */
  day: number;
  /** ISO weekday (1 = Monday) of the guild-local calendar date the hour falls on. */
  weekday: number;
  /** Guild-local hour 0–23. */
  hour: number;
  /** In voice (not AFK) at some moment of that hour. */
  showed: boolean;
}

/** What the forecast knows on a given day. */
export interface TurnoutModel {
  /** The guild's (recency-weighted) show-up rate: what a member with no history gets. */
  prior: number;
  /** Declared hours the model learnt from (unweighted). */
  hours: number;
  /** The chance that `userId`, having declared an hour on `weekday`, is in voice then. */
  probability(userId: string, weekday: number): number;
}

/** Days since 1970-01-01 of a `YYYY-MM-DD` date (the calendar, no zone). */
export function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

/** Slots of a member's record: [S, N] for all weekdays, then [S, N] for weekday 1 … 7. */
const RECORD = 16;

/**
 * The model for the daily message of `date`, from observations of messages *before* it only (any
 * of `date` or later is ignored, whatever the caller passed). Null when the guild has fewer than
 * `minHistoryHours` declared hours in its history: then there is no guild rate to lean on.
 */
export function fitTurnout(observations: Iterable<TurnoutObservation>, date: string, params: TurnoutParams = TURNOUT_MODEL): TurnoutModel | null {
  const today = dayNumber(date);
  // Weights by age in whole days, computed once: 0.5^(age / half-life).
  const weight = Float64Array.from({ length: params.historyDays + 1 }, (_, age) => 0.5 ** (age / params.halfLifeDays));
  const records = new Map<string, Float64Array>();
  let shows = 0;
  let says = 0;
  let hours = 0;
  for (const o of observations) {
    const age = today - o.day;
    if (age < 1 || age > params.historyDays) continue;
    const w = weight[age]!;
    const y = o.showed ? w : 0;
    let r = records.get(o.userId);
    if (!r) records.set(o.userId, (r = new Float64Array(RECORD)));
    r[0]! += y;
    r[1]! += w;
    r[2 * o.weekday]! += y;
    r[2 * o.weekday + 1]! += w;
    shows += y;
    says += w;
    hours++;
  }
  if (hours < params.minHistoryHours || says === 0) return null;
  const prior = shows / says;
  const km = params.memberStrength;
  const kd = params.weekdayStrength;
  return {
    prior,
    hours,
    probability(userId, weekday) {
      const r = records.get(userId);
      if (!r) return prior;
      const member = (r[0]! + km * prior) / (r[1]! + km);
      return (r[2 * weekday]! + kd * member) / (r[2 * weekday + 1]! + kd);
    },
  };
}
