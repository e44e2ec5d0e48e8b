import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { isComing, type SlotMember } from '../render/daily-message.js';
import { LruCache } from './lru.js';
import { readPrivacyGeneration } from './privacy-generation.js';
import { loadTurnoutHistory } from './turnout-history.js';
import { fitTurnout, TURNOUT_MODEL, type TurnoutModel } from './turnout-model.js';

/** What the forecast for one guild's day is made of. */
export interface DayForecast {
  model: TurnoutModel;
  /** Members never forecast (tracking off, bots): they add nothing to "likely". */
  excluded: ReadonlySet<string>;
}

/**
 * The model for the daily message of `date`: the declared hours of the `historyDays` messages
 * before it that had ended by `now` and by that date's local midnight (so nothing of the day
 * itself, whenever it is asked). Null when the guild has too little history.
 */
export async function turnoutModelFor(db: Kysely<Database>, q: { guildId: string; zone: string; date: string; now: number; excluded: ReadonlySet<string> }): Promise<TurnoutModel | null> {
  const midnight = DateTime.fromISO(q.date, { zone: q.zone }).startOf('day');
  const history = await loadTurnoutHistory(db, {
    guildId: q.guildId,
    zone: q.zone,
    fromDate: midnight.minus({ days: TURNOUT_MODEL.historyDays }).toISODate()!,
    beforeDate: q.date,
    until: Math.min(q.now, midnight.toMillis()),
    excluded: q.excluded,
  });
  return fitTurnout(history, q.date);
}

/**
 * "Likely N" for one hour of the daily message: the expected number of its members in voice then.
 * A member already seen in voice in that hour counts 1; a declared member counts their chance
 * ({@link TurnoutModel.probability}); a member with tracking off counts nothing.
 */
export function expectedInVoice(forecast: DayForecast, members: readonly SlotMember[], weekday: number): number {
  let sum = 0;
  for (const m of members) {
    if (!isComing(m) || forecast.excluded.has(m.userId)) continue;
    sum += m.seenInVoice ? 1 : forecast.model.probability(m.userId, weekday);
  }
  return sum;
}

/**
 * The forecast as the daily message asks for it: on every render (every reaction re-renders the
 * message), so the model is built once per guild and day and kept. History is days before today,
 * so it does not change during the day, except when members' data does (an erase, an opt-out, a
 * retention purge): those bump the guild's privacy generation, which is part of the key.
 */
export class TurnoutForecast {
  private readonly cache: LruCache<Promise<DayForecast | null>>;

  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock }) {
    this.cache = new LruCache({ max: 1_000, ttlMs: 26 * 3_600_000, clock: deps.clock });
  }

  /** The forecast for the guild's daily message of `date` (guild-local), from the days before it. */
  async forDay(guildId: string, date: string, zone: string): Promise<DayForecast | null> {
    const generation = await readPrivacyGeneration(this.deps.db, guildId);
    const key = `${guildId} ${date} ${zone} ${generation}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.build(guildId, date, zone);
      this.cache.set(key, hit);
      hit.catch(() => this.cache.delete(key));
    }
    return hit;
  }

  private async build(guildId: string, date: string, zone: string): Promise<DayForecast | null> {
    const { db } = this.deps;
    const optedOut = await db.selectFrom('privacy_opt_outs').select('user_id').where('guild_id', '=', guildId).execute();
    const bots = await db.selectFrom('members').select('user_id').where('guild_id', '=', guildId).where('bot', '=', 1).execute();
    const excluded = new Set([...optedOut, ...bots].map((r) => r.user_id));
    const model = await turnoutModelFor(db, { guildId, zone, date, now: this.deps.clock.now(), excluded });
    return model ? { model, excluded } : null;
  }
}
