import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, Db } from '../db/schema.js';
import { largerOf } from '../db/dialect-sql.js';
import type { Logger } from '../logger.js';
import type { DailyPostService } from './daily-post.js';
import type { AvailabilityService } from './availability.js';
import type { ReactionCleaner } from './reaction-cleaner.js';
import { deleteOtherRows, otherMemberTables, readOtherRows } from './privacy-tables.js';
import { buildExport, type PrivacyExport } from './privacy-export.js';
import { countReminders, eraseReminders, type ReminderCounts } from './privacy-reminders.js';
import { bumpPrivacyGeneration } from './privacy-generation.js';

/**
 * Whether a member turned voice tracking off in a guild. Takes the handle to read through, so the
 * voice service can ask inside its own transaction (SQLite has one connection: a read outside the
 * transaction would wait for it forever).
 */
export async function isOptedOut(db: Db, guildId: string, userId: string): Promise<boolean> {
  const row = await db.selectFrom('privacy_opt_outs').select('user_id').where('guild_id', '=', guildId).where('user_id', '=', userId).executeTakeFirst();
  return row !== undefined;
}

/** Members of a guild who turned tracking off: never named in a party alert, never reminded. */
export async function optedOutMembers(db: Db, guildId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('privacy_opt_outs').select('user_id').where('guild_id', '=', guildId).execute();
  return new Set(rows.map((r) => r.user_id));
}

/** What rollcall holds about one member of one guild, counted. */
export interface PrivacySummary extends ReminderCounts {
  tracked: boolean;
  optedOutAt: number | null;
  /** The member's own `/timezone`, or null when the guild's zone stands in. */
  timezone: string | null;
  /** Weekday × hour cells of the recurring schedule. */
  scheduleSlots: number;
  /** Hours declared on daily messages (reaction, schedule, or "not this hour"). */
  votes: number;
  /** Hours marked "seen in voice" on daily messages. */
  seenInVoice: number;
  voiceStays: number;
  /** Total time of those stays (open ones up to now). */
  voiceMs: number;
  firstStayAt: number | null;
  /** Whether the member cache holds a name, roles and avatar. */
  cachedProfile: boolean;
  /** "Why did my reaction go away" notices sent (kept so each is sent once a day). */
  notices: number;
  /** Rows in tables added later, by table. */
  other: Record<string, number>;
}

/** What `/privacy erase` (or the voice-only erase) removed. */
export interface Erased extends ReminderCounts {
  votes: number;
  schedules: number;
  voiceStays: number;
  timezone: number;
  profile: number;
  notices: number;
  other: Record<string, number>;
  /** True when the opt-out row was kept: the one row needed to honour "don't track me". */
  keptOptOut: boolean;
  /** Clock reactions of the member taken off today's message (else the next re-read would count them again). */
  reactionsRemoved: number;
}

export interface PrivacyServiceOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  posts: DailyPostService;
  /** Takes an erased member's reactions off today's message. */
  availability: Pick<AvailabilityService, 'eraseMember' | 'eraseSeen'>;
  reactions: Pick<ReactionCleaner, 'withdraw'>;
}

/**
 * A member's rights over what rollcall stores about them in a guild: see it, take it out (JSON),
 * erase it, and stop voice tracking. The opt-out is honoured where stays are written
 * (`VoiceSessions`, inside its transaction, via {@link isOptedOut}), left out of charts by the stats
 * scope, and other features ask {@link PrivacyService.isTracked} (the voice greeting).
 */
export class PrivacyService {
  constructor(private readonly deps: PrivacyServiceOptions) {}

  /** False when the member turned voice tracking off here: record nothing, greet nobody. */
  async isTracked(guildId: string, userId: string): Promise<boolean> {
    return !(await isOptedOut(this.deps.db, guildId, userId));
  }

  /** Members of a guild who turned tracking off. */
  async optedOut(guildId: string): Promise<Set<string>> {
    return optedOutMembers(this.deps.db, guildId);
  }

  /**
   * Turns voice tracking off or on. Off also ends a stay in progress now (nothing after this moment
   * is recorded). Returns whether anything changed.
   */
  async setTracking(guildId: string, userId: string, on: boolean): Promise<boolean> {
    const now = this.deps.clock.now();
    const changed = await this.deps.db.transaction().execute(async (tx) => {
      if (on) {
        const removed = await tx.deleteFrom('privacy_opt_outs').where('guild_id', '=', guildId).where('user_id', '=', userId).executeTakeFirst();
        if (Number(removed.numDeletedRows) === 0) return false;
      } else {
        const added = await tx
          .insertInto('privacy_opt_outs')
          .values({ guild_id: guildId, user_id: userId, opted_out_at: now })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (Number(added.numInsertedOrUpdatedRows ?? 0n) === 0) return false;
        await closeOpenStay(tx, guildId, userId, now);
      }
      await bumpPrivacyGeneration(tx, guildId, now);
      return true;
    });
    if (changed) this.deps.log.info({ guildId, userId, tracking: on }, 'voice tracking changed by the member');
    return changed;
  }

  async summary(guildId: string, userId: string): Promise<PrivacySummary> {
    const { db } = this.deps;
    const now = this.deps.clock.now();
    const count = (table: 'schedules' | 'members' | 'member_notices') =>
      db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('guild_id', '=', guildId)
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
    const [optOut, zone, schedules, votes, stays, profile, notices] = await Promise.all([
      db.selectFrom('privacy_opt_outs').select('opted_out_at').where('guild_id', '=', guildId).where('user_id', '=', userId).executeTakeFirst(),
      db.selectFrom('member_timezones').select('timezone').where('guild_id', '=', guildId).where('user_id', '=', userId).executeTakeFirst(),
      count('schedules'),
      db
        .selectFrom('availability')
        .select((eb) => [eb.fn.count<number>('declared').as('declared'), eb.fn.coalesce(eb.fn.sum<number>('seen_in_voice'), eb.val(0)).as('seen')])
        .where('guild_id', '=', guildId)
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow(),
      db
        .selectFrom('voice_stays')
        .select((eb) => [
          eb.fn.countAll<number>().as('n'),
          eb.fn.min<number | null>('started_at').as('first'),
          eb.fn.coalesce(eb.fn.sum<number>(eb(eb.fn.coalesce('ended_at', eb.val(now)), '-', eb.ref('started_at'))), eb.val(0)).as('ms'),
        ])
        .where('guild_id', '=', guildId)
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow(),
      count('members'),
      count('member_notices'),
    ]);
    const other: Record<string, number> = {};
    for (const table of await otherMemberTables(db)) {
      const n = (await readOtherRows(db, table, guildId, userId)).length;
      if (n > 0) other[table.name] = n;
    }
    return {
      tracked: !optOut,
      optedOutAt: optOut?.opted_out_at ?? null,
      timezone: zone?.timezone ?? null,
      scheduleSlots: Number(schedules.n),
      votes: Number(votes.declared),
      seenInVoice: Number(votes.seen),
      voiceStays: Number(stays.n),
      voiceMs: Number(stays.ms),
      firstStayAt: stays.first === null ? null : Number(stays.first),
      cachedProfile: Number(profile.n) > 0,
      notices: Number(notices.n),
      ...(await countReminders(db, guildId, userId)),
      other,
    };
  }

  /** Every row about the member in this guild, as one JSON document (see {@link PrivacyExport}). */
  async export(guildId: string, userId: string): Promise<PrivacyExport> {
    return buildExport(this.deps.db, { guildId, userId, now: this.deps.clock.now(), optedOut: await this.optedOut(guildId) });
  }

  /**
   * Deletes every row about the member in this guild, in one transaction, except the opt-out row
   * if there is one (it is the choice itself). Today's message is re-rendered without them through
   * the coalescing editor; charts are computed from what remains.
   */
  async erase(guildId: string, userId: string): Promise<Erased> {
    const now = this.deps.clock.now();
    const post = await this.deps.posts.current(guildId);
    const { erased, today, reacted } = await this.deps.db.transaction().execute(async (tx) => {
      const todays = post ? await tx.selectFrom('availability').select(['hour', 'declared']).where('guild_id', '=', guildId).where('user_id', '=', userId).where('date', '=', post.date).execute() : [];
      const today = todays.length;
      const reacted = todays.filter((r) => r.declared === 'reaction').map((r) => r.hour);
      const count = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
      const scoped = (table: 'schedules' | 'member_timezones' | 'members' | 'member_notices') => tx.deleteFrom(table).where('guild_id', '=', guildId).where('user_id', '=', userId).executeTakeFirst();
      const voiceStays = await deleteStays(tx, guildId, userId);
      const erased: Erased = {
        votes: await this.deps.availability.eraseMember(tx, guildId, userId),
        schedules: count(await scoped('schedules')),
        voiceStays,
        timezone: count(await scoped('member_timezones')),
        profile: count(await scoped('members')),
        notices: count(await scoped('member_notices')),
        ...(await eraseReminders(tx, guildId, userId)),
        other: {},
        keptOptOut: await isOptedOut(tx, guildId, userId),
        reactionsRemoved: 0,
      };
      for (const table of await otherMemberTables(tx)) {
        const n = await deleteOtherRows(tx, table, guildId, userId);
        if (n > 0) erased.other[table.name] = n;
      }
      await bumpPrivacyGeneration(tx, guildId, now);
      return { erased, today, reacted };
    });
    if (post && today > 0) this.deps.posts.touch(post);
    // After the rows are gone, so the removals the gateway reports back find nothing to write.
    if (post && reacted.length > 0) erased.reactionsRemoved = await this.deps.reactions.withdraw(post, userId, reacted);
    this.deps.log.info({ guildId, userId, erased }, 'member erased their data');
    return erased;
  }

  /**
   * Deletes the member's voice history only (stays, mute/deafen intervals, "seen in voice" marks),
   * as offered when they turn tracking off. Declared hours and everything else stay.
   */
  async eraseVoice(guildId: string, userId: string): Promise<{ voiceStays: number; seenMarks: number }> {
    const now = this.deps.clock.now();
    const post = await this.deps.posts.current(guildId);
    const result = await this.deps.db.transaction().execute(async (tx) => {
      const voiceStays = await deleteStays(tx, guildId, userId);
      const seenMarks = await this.deps.availability.eraseSeen(tx, guildId, userId);
      await bumpPrivacyGeneration(tx, guildId, now);
      return { voiceStays, seenMarks };
    });
    if (post && result.seenMarks > 0) this.deps.posts.touch(post);
    this.deps.log.info({ guildId, userId, ...result }, 'member erased their voice history');
    return result;
  }
}

async function deleteStays(tx: Transaction<Database>, guildId: string, userId: string): Promise<number> {
  // Deleted explicitly rather than trusting ON DELETE CASCADE, which needs the foreign_keys pragma.
  await tx
    .deleteFrom('voice_flag_intervals')
    .where('stay_id', 'in', (eb) => eb.selectFrom('voice_stays').select('id').where('guild_id', '=', guildId).where('user_id', '=', userId))
    .execute();
  const result = await tx.deleteFrom('voice_stays').where('guild_id', '=', guildId).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

async function closeOpenStay(tx: Transaction<Database>, guildId: string, userId: string, now: number): Promise<void> {
  const open = await tx.selectFrom('voice_stays').select(['id', 'started_at']).where('guild_id', '=', guildId).where('user_id', '=', userId).where('ended_at', 'is', null).execute();
  for (const stay of open) {
    const end = Math.max(now, stay.started_at);
    await tx.updateTable('voice_stays').set({ ended_at: end }).where('id', '=', stay.id).execute();
    await tx
      .updateTable('voice_flag_intervals')
      .set((eb) => ({ ended_at: eb.fn(largerOf(tx), [eb.ref('started_at'), eb.val(end)]) }))
      .where('stay_id', '=', stay.id)
      .where('ended_at', 'is', null)
      .execute();
  }
}
