import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../shared/db/schema.js';
import { readPrivacyGeneration } from '../shared/services/privacy-generation.js';
import { DEFAULT_TIMEZONE } from '../shared/time/zones.js';
import { rangeDays, type ChartRequest } from './catalog.js';

/** What every stats query is limited to: one guild, one time window, minus excluded members. */
export interface StatsScope {
  guildId: string;
  /** The guild's IANA zone; days, hours and months are read in it. */
  zone: string;
  /** Window start, unix ms (start of the first local day, or the first recorded stay for all time). */
  from: number;
  /** Window end, unix ms (= now). */
  to: number;
  now: number;
  /** Opted-out members and bots; every query passes through {@link withoutExcluded}. */
  excluded: ReadonlySet<string>;
}

/**
 * The one place members are left out: every query that reads per-member rows goes through here,
 * so the privacy opt-out (and bots) is applied once, in SQL.
 */
export function withoutExcluded<DB, TB extends keyof DB, O>(qb: SelectQueryBuilder<DB, TB, O>, scope: StatsScope, column = 'user_id'): SelectQueryBuilder<DB, TB, O> {
  const condition = notExcluded(scope, column);
  return condition ? qb.where(condition) : qb;
}

/** {@link withoutExcluded}'s condition, for a query written with kysely's `sql` tag; none when nobody is excluded. */
export function notExcluded(scope: StatsScope, column = 'user_id'): RawBuilder<boolean> | undefined {
  if (scope.excluded.size === 0) return undefined;
  return sql<boolean>`${sql.ref(column)} not in (${sql.join([...scope.excluded])})`;
}

/** Resolves the guild's zone, the window of `request.range` and who is excluded. */
export async function resolveScope(db: Kysely<Database>, request: ChartRequest): Promise<StatsScope> {
  const config = await db.selectFrom('guild_config').select('timezone').where('guild_id', '=', request.guildId).executeTakeFirst();
  const zone = config?.timezone ?? DEFAULT_TIMEZONE;
  const bots = await db.selectFrom('members').select('user_id').where('guild_id', '=', request.guildId).where('bot', '=', 1).execute();
  const optedOut = await orNoneBeforePrivacy(() => db.selectFrom('privacy_opt_outs').select('user_id').where('guild_id', '=', request.guildId).execute(), []);
  const excluded = new Set([...(request.excludedUserIds ?? []), ...bots.map((b) => b.user_id), ...optedOut.map((o) => o.user_id)]);
  const days = rangeDays(request.range);
  let from: number;
  if (days === null) {
    const first = await db
      .selectFrom('voice_stays')
      .select((eb) => eb.fn.min('started_at').as('first'))
      .where('guild_id', '=', request.guildId)
      .executeTakeFirst();
    from = Math.min(Number(first?.first ?? request.now), request.now);
  } else {
    from = DateTime.fromMillis(request.now, { zone })
      .startOf('day')
      .minus({ days: days - 1 })
      .toMillis();
  }
  return { guildId: request.guildId, zone, from, to: request.now, now: request.now, excluded };
}

/**
 * The guild's privacy generation, bumped by every `/privacy erase`, opt-out/in and retention purge
 * (`src/shared/services/privacy.ts`): part of the key under which loaded data is reused, so a chart
 * drawn after such a change never comes from data loaded before it.
 */
export async function privacyGeneration(db: Kysely<Database>, guildId: string): Promise<number> {
  return orNoneBeforePrivacy(() => readPrivacyGeneration(db, guildId), 0);
}

/** The CLI may open a read-only copy made before the privacy tables existed: then nobody opted out. */
async function orNoneBeforePrivacy<T>(read: () => Promise<T>, none: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof Error && /no such table: privacy_/.test(error.message)) return none;
    throw error;
  }
}
