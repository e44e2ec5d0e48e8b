import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { DiscordApi } from '../discord/rest.js';
import type { MessageReaction } from '../discord/shapes.js';
import type { Logger } from '../logger.js';
import { localDate } from '../time/slots.js';
import { messageLink, slotsOfPost, type DailyPost, type DailyPostReader } from './daily-post-row.js';

const NOTICES = {
  'foreign-emoji': (post: DailyPost) => `Only the clock reactions count on rollcall's daily message, so I removed the other one. Pick the hours you'll play: ${messageLink(post)}`,
  'old-message': (post: DailyPost) => `Votes are for today only, so I removed your reaction on an older rollcall message. Today's is here: ${messageLink(post)}`,
} as const;

/**
 * Keeps the daily message's reactions to the clocks of today: removes strays (another emoji, a click
 * on an older message, a reaction left after an erase) and tells the member why, once per reason and
 * day. It writes no vote: {@link AvailabilityService} does.
 */
export class ReactionCleaner {
  constructor(private readonly deps: { db: Kysely<Database>; discord: DiscordApi; clock: Clock; log: Logger; posts: DailyPostReader }) {}

  /**
   * Takes a member's clock reactions for `hours` off `post` (for `/privacy erase`); returns how many
   * went. Failures are logged and skipped: the rows are gone either way.
   */
  async withdraw(post: DailyPost, userId: string, hours: readonly number[]): Promise<number> {
    if (!post.message_id) return 0;
    let removed = 0;
    for (const slot of slotsOfPost(post)) {
      if (!hours.includes(slot.hour)) continue;
      if (await this.remove(post, slot.emoji, userId)) removed++;
    }
    return removed;
  }

  /**
   * What the gateway would have taken off had it been connected, for after a gap in events: foreign
   * emoji on the guild's current message. Bots are left alone, as live; each member is told once per
   * reason and day. Reactions on older messages are not swept: a reaction there may have been a vote
   * cast while that message was today's (an outage across the next post), or belong to a member who
   * erased their data — nothing stored tells a stray from either.
   */
  async sweepStrays(guildId: string): Promise<{ removed: number }> {
    const current = await this.deps.posts.current(guildId);
    if (!current?.message_id) return { removed: 0 };
    let removed = 0;
    const slotEmoji = new Set(slotsOfPost(current).map((s) => s.emoji));
    for (const found of await this.otherReactors(current, (r) => r.custom || !slotEmoji.has(r.emoji))) {
      removed += found.count;
      await this.notify(current, found.userId, 'foreign-emoji');
    }
    if (removed > 0) this.deps.log.info({ guild: guildId, removed }, 'stray reactions removed after a gap in events');
    return { removed };
  }

  /**
   * Removes the reactions of people (not bots, not us) on `post` with an emoji `select`ed; returns
   * who lost how many. A message we can no longer read is skipped.
   */
  private async otherReactors(post: DailyPost, select: (r: MessageReaction) => boolean): Promise<{ userId: string; count: number }[]> {
    const { discord, log } = this.deps;
    const botId = discord.applicationId;
    let reactions: MessageReaction[];
    try {
      reactions = await discord.getMessageReactions(post.channel_id, post.message_id!);
    } catch (error) {
      log.warn({ err: error, message: post.message_id }, 'could not read the reactions of a daily message');
      return [];
    }
    const byUser = new Map<string, number>();
    for (const reaction of reactions) {
      if (!select(reaction) || reaction.count <= (reaction.me ? 1 : 0)) continue;
      const users = await discord.getAllReactionUsers(post.channel_id, post.message_id!, reaction.emoji);
      for (const user of users) {
        if (user.id === botId || user.bot) continue;
        await this.remove(post, reaction.emoji, user.id);
        byUser.set(user.id, (byUser.get(user.id) ?? 0) + 1);
      }
    }
    return [...byUser].map(([userId, count]) => ({ userId, count }));
  }

  /** Takes one member's reaction off `post`; false (logged) when Discord refuses. */
  async remove(post: DailyPost, emoji: string, userId: string): Promise<boolean> {
    try {
      await this.deps.discord.removeUserReaction(post.channel_id, post.message_id!, emoji, userId);
      return true;
    } catch (error) {
      this.deps.log.warn({ err: error, message: post.message_id }, 'could not remove a reaction (Manage Messages missing?)');
      return false;
    }
  }

  /** Tells a member once per reason and day why their reaction went away; closed DMs are only logged. */
  async notify(post: DailyPost, userId: string, reason: keyof typeof NOTICES): Promise<void> {
    const date = localDate(this.deps.clock.now(), post.timezone);
    const inserted = await this.deps.db
      .insertInto('member_notices')
      .values({ guild_id: post.guild_id, user_id: userId, reason, date, sent_at: this.deps.clock.now() })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return;
    try {
      await this.deps.discord.sendDirectMessage(userId, NOTICES[reason](post));
    } catch (error) {
      this.deps.log.info({ user: userId, reason, err: error }, 'could not DM the member (DMs closed?)');
    }
  }
}
