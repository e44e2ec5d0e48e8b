import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { UserError } from '../errors.js';
import type { AvailabilityService } from './availability.js';

export interface Schedule {
  /** ISO weekdays, 1 = Monday. */
  weekdays: number[];
  /** Local hours in the guild zone. */
  hours: number[];
}

/** A schedule whose evenings may differ: the hours per ISO weekday (only weekdays with hours). */
export type WeeklySchedule = Map<number, number[]>;

export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/**
 * Recurring availability, stored as wall-clock weekday + hour in the guild zone so 9 pm stays
 * 9 pm across DST changes. Each member's schedule is theirs alone: every write is scoped to
 * (guild, user). A weekday means that day's *evening*: 1 am after a Tuesday evening is Tuesday.
 */
export class ScheduleService {
  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock; availability: Pick<AvailabilityService, 'applySchedule'> }) {}

  async get(guildId: string, userId: string): Promise<Schedule> {
    const rows = await this.deps.db.selectFrom('schedules').select(['weekday', 'hour']).where('guild_id', '=', guildId).where('user_id', '=', userId).execute();
    return {
      weekdays: [...new Set(rows.map((r) => r.weekday))].sort((a, b) => a - b),
      hours: [...new Set(rows.map((r) => r.hour))].sort((a, b) => a - b),
    };
  }

  /** The member's hours evening by evening (Tuesday 20–23 and Friday 21–01 may differ). */
  async byDay(guildId: string, userId: string): Promise<WeeklySchedule> {
    const rows = await this.deps.db.selectFrom('schedules').select(['weekday', 'hour']).where('guild_id', '=', guildId).where('user_id', '=', userId).orderBy('weekday').orderBy('hour').execute();
    const week: WeeklySchedule = new Map();
    for (const r of rows) week.set(r.weekday, [...(week.get(r.weekday) ?? []), r.hour]);
    return week;
  }

  /**
   * Sets the hours of the evenings given (every weekday × hour); evenings not given keep theirs, so
   * Tuesday 20–23 and Friday 21–01 are two saves. Applies to today's message for hours still ahead
   * (without touching anything the member clicked today).
   */
  async set(guildId: string, userId: string, schedule: Schedule): Promise<Schedule> {
    const weekdays = [...new Set(schedule.weekdays)];
    const hours = [...new Set(schedule.hours)];
    if (weekdays.length === 0) throw new UserError('Pick at least one day.');
    if (hours.length === 0) throw new UserError('Pick at least one hour.');
    if (weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) throw new UserError('Those days are not valid.');
    if (hours.some((h) => !Number.isInteger(h) || h < 0 || h > 23)) throw new UserError('Those hours are not valid.');
    const now = this.deps.clock.now();
    await this.deps.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('schedules').where('guild_id', '=', guildId).where('user_id', '=', userId).where('weekday', 'in', weekdays).execute();
      await tx
        .insertInto('schedules')
        .values(weekdays.flatMap((weekday) => hours.map((hour) => ({ guild_id: guildId, user_id: userId, weekday, hour, created_at: now }))))
        .execute();
    });
    await this.deps.availability.applySchedule(guildId, userId);
    return this.get(guildId, userId);
  }

  /** Removes the member's schedule, or only one evening of it. */
  async clear(guildId: string, userId: string, weekday?: number): Promise<number> {
    let scope = this.deps.db.deleteFrom('schedules').where('guild_id', '=', guildId).where('user_id', '=', userId);
    if (weekday !== undefined) scope = scope.where('weekday', '=', weekday);
    const result = await scope.executeTakeFirst();
    await this.deps.availability.applySchedule(guildId, userId);
    return Number(result.numDeletedRows);
  }
}
