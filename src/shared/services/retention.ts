import { EVERY_GUILD, type GuildOwner } from '../shards.js';
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Job } from '../scheduler.js';
import { localDate } from '../time/slots.js';
import type { AvailabilityService } from './availability.js';
import type { GuildConfigService } from './guild-config.js';
import { bumpPrivacyGeneration } from './privacy-generation.js';
import { purgeRemindersBefore } from './privacy-reminders.js';

export const DEFAULT_RETENTION_DAYS = 365;
export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 3650;
const DAY_MS = 86_400_000;

/** What one purge removed. */
export interface Purged {
  voiceStays: number;
  votes: number;
  notices: number;
}

/**
 * How long history is kept (`/config retention`), and the daily job that enforces it. "Older than
 * N days" means: a voice stay that *ended* more than N × 24 h ago (a stay in progress is never
 * deleted), and votes and notices of a daily message dated more than N calendar days before
 * today in the guild's zone.
 */
export class RetentionService {
  /** Guild → local date already purged by this process: spares the claim query on every tick. */
  private readonly done = new Map<string, string>();

  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock; log: Logger; guildConfig: GuildConfigService; availability: Pick<AvailabilityService, 'purgeBefore'> }) {}

  async days(guildId: string): Promise<number> {
    const row = await this.deps.db.selectFrom('privacy_settings').select('retention_days').where('guild_id', '=', guildId).executeTakeFirst();
    return row?.retention_days ?? DEFAULT_RETENTION_DAYS;
  }

  async setDays(guildId: string, days: number): Promise<number> {
    if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS || days > MAX_RETENTION_DAYS) {
      throw new UserError(`Retention must be a whole number of days from ${MIN_RETENTION_DAYS} to ${MAX_RETENTION_DAYS} (got ${days}). Nothing was changed.`);
    }
    const now = this.deps.clock.now();
    await this.deps.db
      .insertInto('privacy_settings')
      .values({ guild_id: guildId, retention_days: days, updated_at: now })
      .onConflict((oc) => oc.column('guild_id').doUpdateSet({ retention_days: days, updated_at: now }))
      .execute();
    return days;
  }

  /** Deletes the guild's history older than its retention, now. */
  async purge(guildId: string, now = this.deps.clock.now()): Promise<Purged> {
    const days = await this.days(guildId);
    const { timezone } = await this.deps.guildConfig.get(guildId);
    const cutoffMs = now - days * DAY_MS;
    const cutoffDate = DateTime.fromISO(localDate(now, timezone), { zone: timezone }).minus({ days }).toISODate()!;
    const purged = await this.deps.db.transaction().execute(async (tx) => {
      await tx
        .deleteFrom('voice_flag_intervals')
        .where('stay_id', 'in', (eb) => eb.selectFrom('voice_stays').select('id').where('guild_id', '=', guildId).where('ended_at', '<', cutoffMs))
        .execute();
      const stays = await tx.deleteFrom('voice_stays').where('guild_id', '=', guildId).where('ended_at', '<', cutoffMs).executeTakeFirst();
      const votes = await this.deps.availability.purgeBefore(tx, guildId, cutoffDate);
      const notices = await tx.deleteFrom('member_notices').where('guild_id', '=', guildId).where('date', '<', cutoffDate).executeTakeFirst();
      await purgeRemindersBefore(tx, guildId, cutoffDate);
      const result = { voiceStays: Number(stays.numDeletedRows), votes, notices: Number(notices.numDeletedRows) };
      if (result.voiceStays + result.votes + result.notices > 0) await bumpPrivacyGeneration(tx, guildId, now);
      return result;
    });
    this.deps.log.info({ guildId, days, cutoffDate, ...purged }, 'retention purge');
    return purged;
  }

  /**
   * The scheduler job: purges each guild at most once per guild-local day. The day is claimed in
   * SQLite first, so two processes ticking the same file never both purge it; a sharded gateway
   * process purges only the guilds it `owns`.
   */
  job(owns: GuildOwner = EVERY_GUILD): Job {
    return {
      name: 'privacy-retention',
      run: async (now) => {
        for (const guildId of await this.guildIds()) {
          if (!owns(guildId)) continue;
          const { timezone } = await this.deps.guildConfig.get(guildId);
          const today = localDate(now, timezone);
          if (this.done.get(guildId) === today) continue;
          if (await this.claim(guildId, today, now)) await this.purge(guildId, now);
          this.done.set(guildId, today);
        }
      },
    };
  }

  private async claim(guildId: string, today: string, now: number): Promise<boolean> {
    const { db } = this.deps;
    await db
      .insertInto('privacy_settings')
      .values({ guild_id: guildId, updated_at: now })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const claimed = await db
      .updateTable('privacy_settings')
      .set({ retention_ran_on: today })
      .where('guild_id', '=', guildId)
      .where((eb) => eb.or([eb('retention_ran_on', 'is', null), eb('retention_ran_on', '<>', today)]))
      .executeTakeFirst();
    return Number(claimed.numUpdatedRows) > 0;
  }

  /** Every guild rollcall holds data for: configured ones and those the gateway has seen. */
  private async guildIds(): Promise<string[]> {
    const [configs, guilds] = await Promise.all([this.deps.db.selectFrom('guild_config').select('guild_id').execute(), this.deps.db.selectFrom('guilds').select('guild_id').execute()]);
    return [...new Set([...configs, ...guilds].map((r) => r.guild_id))];
  }
}
