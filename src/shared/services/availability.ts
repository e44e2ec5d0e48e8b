import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, Db, Declared } from '../db/schema.js';
import type { DiscordApi } from '../discord/rest.js';
import type { ReactionCleaner } from './reaction-cleaner.js';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { slotAt, slotEnd, weekdayOf, type Slot } from '../time/slots.js';
import { messageLink, slotsOfPost, type DailyPost, type DailyPostReader, type PostChanged } from './daily-post-row.js';

/** A reaction as the service sees it: plain ids, no gateway payload. */
export interface ReactionEvent {
  guildId: string;
  channelId: string;
  messageId: string;
  userId: string;
  /** Unicode emoji, or the custom emoji's name. */
  emojiName: string | null;
  /** Set for custom emoji. */
  emojiId: string | null;
  /**
   * Whether a bot reacted, as far as the payload tells (ADD carries `member.user.bot`; REMOVE carries
   * no member, so only our own removals are known). A REMOVE needs no more: it only takes back a
   * declaration we hold, and no bot ever gets one.
   */
  isBot: boolean;
}

export type ReactionOutcome = 'marked' | 'unmarked' | 'removed-foreign-emoji' | 'removed-old-message' | 'ignored';

/**
 * Who is coming when: reactions on today's message, schedules seeded into it, and members seen in
 * voice. The one writer of `availability`: the daily post seeds through it, schedules apply through
 * it, privacy and retention delete through it (inside their own transactions). Every change marks
 * the message dirty; the editor decides when to edit.
 */
export class AvailabilityService {
  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      discord: DiscordApi;
      clock: Clock;
      log: Logger;
      posts: DailyPostReader;
      changed: PostChanged;
      /** Takes reactions off the message and tells members why; writes no vote. */
      reactions: ReactionCleaner;
    },
  ) {}

  async reactionAdded(event: ReactionEvent): Promise<ReactionOutcome> {
    if (event.isBot) return 'ignored';
    const post = await this.deps.posts.byMessage(event.messageId);
    if (!post || post.guild_id !== event.guildId) return 'ignored';
    const current = await this.deps.posts.current(post.guild_id);
    const emoji = event.emojiId ? `${event.emojiName}:${event.emojiId}` : (event.emojiName ?? '');
    if (current?.message_id !== post.message_id) {
      await this.deps.reactions.remove(post, emoji, event.userId);
      await this.deps.reactions.notify(current ?? post, event.userId, 'old-message');
      return 'removed-old-message';
    }
    const slot = event.emojiId ? undefined : slotsOfPost(post).find((s) => s.emoji === event.emojiName);
    if (!slot) {
      await this.deps.reactions.remove(post, emoji, event.userId);
      await this.deps.reactions.notify(post, event.userId, 'foreign-emoji');
      return 'removed-foreign-emoji';
    }
    await this.declare(post, event.userId, slot.hour, 'reaction');
    return 'marked';
  }

  async reactionRemoved(event: ReactionEvent): Promise<ReactionOutcome> {
    if (event.isBot || event.emojiId) return 'ignored';
    const post = await this.deps.posts.current(event.guildId);
    if (!post || post.message_id !== event.messageId) return 'ignored';
    const slot = slotsOfPost(post).find((s) => s.emoji === event.emojiName);
    if (!slot) return 'ignored';
    // Only a declaration we hold is taken back ('out' also overrides a schedule for the day). A
    // removal with nothing stored — a reaction we never counted, or ours after /privacy erase took
    // the member's reactions off — must not write a row about them.
    const updated = await this.deps.db
      .updateTable('availability')
      .set({ declared: 'out', updated_at: this.deps.clock.now() })
      .where('guild_id', '=', post.guild_id)
      .where('date', '=', post.date)
      .where('user_id', '=', event.userId)
      .where('hour', '=', slot.hour)
      .where('declared', 'in', ['reaction', 'schedule'])
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return 'ignored';
    this.deps.changed(post);
    return 'unmarked';
  }

  /**
   * The "Not tonight" button: takes the member off every slot of today's message that has not ended
   * — clicked or from their schedule — for this day only ('out' overrides the schedule; their
   * schedule still seeds the next evenings), and takes their clock reactions off so the message and
   * its reactions agree. "Seen in voice" stays: it happened. Returns the slots they were taken off.
   */
  async skipTonight(guildId: string, messageId: string, userId: string): Promise<{ post: DailyPost; slots: Slot[] }> {
    const post = await this.deps.posts.byMessage(messageId);
    const current = await this.deps.posts.current(guildId);
    if (!post || post.guild_id !== guildId || current?.message_id !== messageId) {
      throw new UserError(`This message is from an earlier day.${current ? ` Today's is here: ${messageLink(current)}` : ''}`);
    }
    const nowS = this.deps.clock.now() / 1000;
    const open = slotsOfPost(post).filter((s) => slotEnd(s, post.timezone) > nowS);
    const rows = await this.deps.db
      .selectFrom('availability')
      .select(['hour', 'declared'])
      .where('guild_id', '=', guildId)
      .where('date', '=', post.date)
      .where('user_id', '=', userId)
      .where('declared', 'in', ['reaction', 'schedule'])
      .execute();
    const taken = open.filter((s) => rows.some((r) => r.hour === s.hour));
    if (taken.length === 0) return { post, slots: [] };
    await this.deps.db
      .updateTable('availability')
      .set({ declared: 'out', updated_at: this.deps.clock.now() })
      .where('guild_id', '=', guildId)
      .where('date', '=', post.date)
      .where('user_id', '=', userId)
      .where('declared', 'in', ['reaction', 'schedule'])
      .where(
        'hour',
        'in',
        taken.map((s) => s.hour),
      )
      .execute();
    this.deps.changed(post);
    const clicked = rows.filter((r) => r.declared === 'reaction').map((r) => r.hour);
    await this.deps.reactions.withdraw(
      post,
      userId,
      clicked.filter((h) => taken.some((s) => s.hour === h)),
    );
    return { post, slots: taken };
  }

  /**
   * A new day's rows from the schedules covering it (the weekday of the message's date, whatever side
   * of midnight), in the transaction that writes the day's intent. Members who left are skipped:
   * their schedule is paused until they are seen again.
   */
  async seedFromSchedules(tx: Db, post: Pick<DailyPost, 'guild_id' | 'date' | 'timezone' | 'first_hour' | 'last_hour'>): Promise<void> {
    const hours = slotsOfPost(post).map((s) => s.hour);
    const now = this.deps.clock.now();
    await tx
      .insertInto('availability')
      .columns(['guild_id', 'date', 'user_id', 'hour', 'declared', 'updated_at'])
      .expression((eb) =>
        eb
          .selectFrom('schedules')
          .select([eb.val(post.guild_id).as('guild_id'), eb.val(post.date).as('date'), 'user_id', 'hour', eb.val('schedule').as('declared'), eb.val(now).as('updated_at')])
          .where('guild_id', '=', post.guild_id)
          .where('weekday', '=', weekdayOf(post.date))
          .where('hour', 'in', hours)
          .where('user_id', 'not in', eb.selectFrom('departed_members').select('user_id').where('guild_id', '=', post.guild_id)),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /**
   * Brings the member's schedule-declared rows of today's message in line with their schedule, for
   * slots not yet started, after the schedule changed. What they clicked, un-clicked ('out') or were
   * seen doing today is left alone.
   */
  async applySchedule(guildId: string, userId: string): Promise<void> {
    const post = await this.deps.posts.current(guildId);
    if (!post) return;
    const nowS = this.deps.clock.now() / 1000;
    const upcoming = slotsOfPost(post)
      .filter((s) => s.unix > nowS)
      .map((s) => s.hour);
    if (upcoming.length === 0) return;
    const rows = await this.deps.db.selectFrom('schedules').select('hour').where('guild_id', '=', guildId).where('user_id', '=', userId).where('weekday', '=', weekdayOf(post.date)).execute();
    const wanted = upcoming.filter((h) => rows.some((r) => r.hour === h));
    const now = this.deps.clock.now();
    await this.deps.db.transaction().execute(async (tx) => {
      let scope = tx
        .deleteFrom('availability')
        .where('guild_id', '=', guildId)
        .where('date', '=', post.date)
        .where('user_id', '=', userId)
        .where('declared', '=', 'schedule')
        .where('seen_in_voice', '=', 0)
        .where('hour', 'in', upcoming);
      if (wanted.length) scope = scope.where('hour', 'not in', wanted);
      await scope.execute();
      if (wanted.length) {
        await tx
          .insertInto('availability')
          .values(wanted.map((hour) => ({ guild_id: guildId, date: post.date, user_id: userId, hour, declared: 'schedule' as const, updated_at: now })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
    });
    this.deps.changed(post);
  }

  /** `/privacy erase`: every row of the member in the guild, in the caller's transaction; how many. */
  async eraseMember(tx: Db, guildId: string, userId: string): Promise<number> {
    const result = await tx.deleteFrom('availability').where('guild_id', '=', guildId).where('user_id', '=', userId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Voice history erased: the member's "seen in voice" marks go, and rows that said nothing else; how many marks. */
  async eraseSeen(tx: Db, guildId: string, userId: string): Promise<number> {
    const marked = await tx
      .updateTable('availability')
      .set({ seen_in_voice: 0, updated_at: this.deps.clock.now() })
      .where('guild_id', '=', guildId)
      .where('user_id', '=', userId)
      .where('seen_in_voice', '=', 1)
      .executeTakeFirst();
    await tx.deleteFrom('availability').where('guild_id', '=', guildId).where('user_id', '=', userId).where('declared', 'is', null).where('seen_in_voice', '=', 0).execute();
    return Number(marked.numUpdatedRows);
  }

  /** Retention: the guild's rows of days before `cutoffDate`, in the caller's transaction; how many. */
  async purgeBefore(tx: Db, guildId: string, cutoffDate: string): Promise<number> {
    const result = await tx.deleteFrom('availability').where('guild_id', '=', guildId).where('date', '<', cutoffDate).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Marks a member "seen in voice" in the slot of the guild's current message containing `at`.
   * Idempotent; false when there is no message or `at` is outside its slots.
   */
  async markSeen(guildId: string, userId: string, at: number): Promise<boolean> {
    const post = await this.deps.posts.current(guildId);
    if (!post) return false;
    const slot = slotAt(slotsOfPost(post), at, post.timezone);
    if (!slot) return false;
    const result = await this.deps.db
      .insertInto('availability')
      .values({ guild_id: guildId, date: post.date, user_id: userId, hour: slot.hour, declared: null, seen_in_voice: 1, updated_at: this.deps.clock.now() })
      .onConflict((oc) => oc.columns(['guild_id', 'date', 'user_id', 'hour']).doUpdateSet({ seen_in_voice: 1 }).where('availability.seen_in_voice', '=', 0))
      .executeTakeFirst();
    if (Number(result.numInsertedOrUpdatedRows ?? 0n) > 0) this.deps.changed(post);
    return true;
  }

  /**
   * Rebuilds reaction-declared availability of the guild's current message from the reactions
   * Discord has (paged), for when the gateway may have missed events. Schedules and voice marks
   * are kept; a reaction seen on Discord wins; a 'reaction' row with no reaction becomes 'out'.
   */
  async reconcile(guildId: string): Promise<{ added: number; removed: number }> {
    const post = await this.deps.posts.current(guildId);
    if (!post?.message_id) return { added: 0, removed: 0 };
    const botId = this.deps.discord.applicationId;
    const onDiscord = new Map<number, Set<string>>();
    for (const slot of slotsOfPost(post)) {
      const users = await this.deps.discord.getAllReactionUsers(post.channel_id, post.message_id, slot.emoji);
      onDiscord.set(slot.hour, new Set(users.filter((u) => u.id !== botId && !u.bot).map((u) => u.id)));
    }
    const rows = await this.deps.db.selectFrom('availability').select(['user_id', 'hour', 'declared', 'updated_at']).where('guild_id', '=', guildId).where('date', '=', post.date).execute();
    const stored = new Map(rows.map((r) => [`${r.hour}:${r.user_id}`, r.declared]));
    let added = 0;
    let removed = 0;
    const now = this.deps.clock.now();
    await this.deps.db.transaction().execute(async (tx) => {
      for (const [hour, users] of onDiscord) {
        for (const userId of users) {
          if (stored.get(`${hour}:${userId}`) === 'reaction') continue;
          added += 1;
          await upsertDeclared(tx, post, userId, hour, 'reaction', now);
        }
      }
      for (const r of rows) {
        // A vote from before the reactions were cleared (or the message replaced) has none: kept.
        const predatesReset = post.reactions_reset_at !== null && r.updated_at <= post.reactions_reset_at;
        if (r.declared === 'reaction' && !predatesReset && !onDiscord.get(r.hour)?.has(r.user_id)) {
          removed += 1;
          await upsertDeclared(tx, post, r.user_id, r.hour, 'out', now);
        }
      }
    });
    if (added + removed > 0) {
      this.deps.log.info({ guild: guildId, added, removed }, 'reactions reconciled');
      this.deps.changed(post);
    }
    return { added, removed };
  }

  private async declare(post: DailyPost, userId: string, hour: number, declared: Declared): Promise<void> {
    await upsertDeclared(this.deps.db, post, userId, hour, declared, this.deps.clock.now());
    this.deps.changed(post);
  }
}

async function upsertDeclared(db: Kysely<Database>, post: DailyPost, userId: string, hour: number, declared: Declared, now: number): Promise<void> {
  await db
    .insertInto('availability')
    .values({ guild_id: post.guild_id, date: post.date, user_id: userId, hour, declared, updated_at: now })
    .onConflict((oc) => oc.columns(['guild_id', 'date', 'user_id', 'hour']).doUpdateSet({ declared, updated_at: now }))
    .execute();
}
