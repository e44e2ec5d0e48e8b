import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { UserError } from '../errors.js';

/** A member's choices: the DM reminder and the party-alert mention. */
export interface ReminderSettings {
  /** Minutes before their first hour of the day; null = no reminder. */
  minutes: number | null;
  /** Mention me when the party alert names me. */
  party: boolean;
  /** When a reminder DM was refused (DMs closed); none is tried again until they set one again. */
  dmsClosedAt: number | null;
}

export const REMINDER_MINUTES = { min: 5, max: 180 } as const;

/**
 * `/remind …` per member and guild. `minutes` is declared to Discord without a range (see
 * `src/interactions/commands/remind.ts`), so it is checked here.
 */
export class ReminderSettingsStore {
  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock }) {}

  async get(guildId: string, userId: string): Promise<ReminderSettings> {
    const row = await this.deps.db.selectFrom('reminder_settings').selectAll().where('guild_id', '=', guildId).where('user_id', '=', userId).executeTakeFirst();
    return { minutes: row?.minutes ?? null, party: row?.party === 1, dmsClosedAt: row?.dms_closed_at ?? null };
  }

  /** `/remind before <minutes>`: checked, and a closed-DM mark is cleared (they may have opened them). */
  async setMinutes(guildId: string, userId: string, minutes: number): Promise<ReminderSettings> {
    if (!Number.isInteger(minutes) || minutes < REMINDER_MINUTES.min || minutes > REMINDER_MINUTES.max) {
      throw new UserError(`Reminders can come ${REMINDER_MINUTES.min} to ${REMINDER_MINUTES.max} minutes before your first hour (got ${minutes}). Nothing was changed.`);
    }
    return this.write(guildId, userId, { minutes, dms_closed_at: null });
  }

  /** `/remind party on|off`. */
  async setParty(guildId: string, userId: string, on: boolean): Promise<ReminderSettings> {
    return this.write(guildId, userId, { party: on ? 1 : 0 });
  }

  /** `/remind off`: no reminder and no party mention. */
  async off(guildId: string, userId: string): Promise<ReminderSettings> {
    return this.write(guildId, userId, { minutes: null, party: 0 });
  }

  /** A DM was refused with 50007: remembered, so it is logged once and not tried every day. */
  async markDmsClosed(guildId: string, userId: string): Promise<void> {
    await this.write(guildId, userId, { dms_closed_at: this.deps.clock.now() });
  }

  /** Members of a guild who want a reminder and whose DMs were not found closed. */
  async reminded(guildId: string): Promise<{ userId: string; minutes: number }[]> {
    const rows = await this.deps.db
      .selectFrom('reminder_settings')
      .select(['user_id', 'minutes'])
      .where('guild_id', '=', guildId)
      .where('minutes', 'is not', null)
      .where('dms_closed_at', 'is', null)
      .execute();
    return rows.map((r) => ({ userId: r.user_id, minutes: r.minutes! }));
  }

  /** Guilds where someone wants a reminder. */
  async guildsWithReminders(): Promise<string[]> {
    return (await this.deps.db.selectFrom('reminder_settings').select('guild_id').distinct().where('minutes', 'is not', null).where('dms_closed_at', 'is', null).execute()).map((r) => r.guild_id);
  }

  /** Members of a guild who asked to be mentioned in party alerts. */
  async partyMentions(guildId: string): Promise<Set<string>> {
    const rows = await this.deps.db.selectFrom('reminder_settings').select('user_id').where('guild_id', '=', guildId).where('party', '=', 1).execute();
    return new Set(rows.map((r) => r.user_id));
  }

  private async write(guildId: string, userId: string, change: Partial<{ minutes: number | null; party: number; dms_closed_at: number | null }>): Promise<ReminderSettings> {
    const now = this.deps.clock.now();
    await this.deps.db
      .insertInto('reminder_settings')
      .values({ guild_id: guildId, user_id: userId, updated_at: now, ...change })
      .onConflict((oc) => oc.columns(['guild_id', 'user_id']).doUpdateSet({ ...change, updated_at: now }))
      .execute();
    return this.get(guildId, userId);
  }
}
