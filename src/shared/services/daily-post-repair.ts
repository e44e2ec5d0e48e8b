import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { NotFoundError } from '../discord/errors.js';
import type { DiscordApi } from '../discord/rest.js';
import type { MessageReaction } from '../discord/shapes.js';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { localDate } from '../time/slots.js';
import { messageLink, slotsOfPost, type DailyPost, type DailyPostService, type PostOutcome } from './daily-post.js';
import type { GuildConfigService } from './guild-config.js';

/**
 * Today's message when it went wrong on Discord's side: posted on demand (`/config post-now`),
 * posted again when a moderator deleted it, its clocks put back when a moderator removed them.
 * The exactly-once posting itself is {@link DailyPostService}'s.
 */
export class DailyPostRepair {
  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      discord: DiscordApi;
      clock: Clock;
      log: Logger;
      guildConfig: GuildConfigService;
      posts: DailyPostService;
    },
  ) {}

  /**
   * `/config post-now`: today's message, posted now if missing (a failed attempt is retried). A
   * message that was deleted is replaced (votes kept); missing clock reactions are put back.
   */
  async postNow(guildId: string): Promise<PostOutcome> {
    const settings = await this.deps.guildConfig.get(guildId);
    if (!settings.channelId) throw new UserError('Pick a channel first with `/config channel`.');
    const date = localDate(this.deps.clock.now(), settings.timezone);
    const checked = await this.checkOnDiscord(await this.deps.posts.load(guildId, date));
    const outcome = await this.deps.posts.ensure(settings, date, { retryFailed: true, replaceGone: true });
    if (!outcome) throw new UserError('Could not post today’s message.');
    const { post } = outcome;
    if (post.state === 'failed' && post.message_id) {
      throw new UserError(
        `Today's message is posted (${messageLink(post)}), but I can't add the hour reactions in <#${post.channel_id}>: ${post.error}. Give me Add Reactions and Read Message History there, then run \`/config post-now\` again to finish them.`,
      );
    }
    if (post.state === 'failed') {
      throw new UserError(`I can't post in <#${post.channel_id}>: ${post.error}. Check my permissions there (View Channel, Send Messages, Add Reactions, Read Message History).`);
    }
    return { ...outcome, replaced: checked.gone || outcome.replaced === true, clocksRestored: checked.restored };
  }

  /**
   * For `/config post-now`: whether today's message is still on Discord (a deletion reaches a bot
   * without the messages intent only this way) and, if it is, puts back any clock reaction a
   * moderator removed. A deleted message's row is set to be posted again.
   */
  private async checkOnDiscord(post: DailyPost | undefined): Promise<{ gone: boolean; restored: number }> {
    if (!post?.message_id || post.state === 'planned') return { gone: false, restored: 0 };
    let present: MessageReaction[];
    try {
      present = await this.deps.discord.getMessageReactions(post.channel_id, post.message_id);
    } catch (error) {
      if (error instanceof NotFoundError && (error.resource === 'message' || error.resource === 'channel')) {
        await this.deps.posts.replan(post, { manual: true });
        return { gone: true, restored: 0 };
      }
      // No access (Read Message History denied) or a transient error: the post itself says more.
      this.deps.log.warn({ err: error, message: post.message_id }, 'could not check the daily message on Discord');
      return { gone: false, restored: 0 };
    }
    if (post.state !== 'reacted') return { gone: false, restored: 0 };
    const ours = new Set(present.filter((r) => r.me).map((r) => r.emoji));
    const missing = slotsOfPost(post).filter((slot) => !ours.has(slot.emoji));
    for (const slot of missing) await this.deps.discord.addOwnReaction(post.channel_id, post.message_id, slot.emoji);
    if (missing.length > 0) await this.resetReactions(post);
    return { gone: false, restored: missing.length };
  }

  /**
   * The editor (or a reaction) found `messageId` gone from Discord (10008). If it was the guild's
   * current daily message it is posted again, with the votes from the database, up to
   * {@link MAX_AUTO_REPLACEMENTS} times a day; after that `/config show` says so and
   * `/config post-now` replaces it.
   */
  async messageGone(messageId: string): Promise<void> {
    const post = await this.deps.posts.byMessage(messageId);
    if (!post) return;
    const current = await this.deps.posts.current(post.guild_id);
    if (current?.message_id !== messageId) return; // an older day's message: nothing to vote on
    this.deps.log.warn({ guild: post.guild_id, date: post.date, message: messageId }, 'the daily message was deleted');
    await this.deps.posts.replan(post, { manual: false });
    const settings = await this.deps.guildConfig.get(post.guild_id);
    await this.deps.posts.ensure(settings, post.date, { retryFailed: false, replaceGone: false });
  }

  /**
   * A moderator removed all reactions of the current message, or all of one emoji
   * (MESSAGE_REACTION_REMOVE_ALL / _EMOJI): the clocks go back on, the votes stay (they are in the
   * database), and the message says how to take a vote back now that its reaction is gone.
   * @see https://discord.com/developers/docs/events/gateway-events#message-reaction-remove-all
   */
  async reactionsCleared(guildId: string, messageId: string, emoji?: string): Promise<number> {
    const post = await this.deps.posts.current(guildId);
    if (!post?.message_id || post.message_id !== messageId || post.state !== 'reacted') return 0;
    const slots = slotsOfPost(post).filter((slot) => emoji === undefined || slot.emoji === emoji);
    if (slots.length === 0) return 0;
    await this.resetReactions(post);
    let restored = 0;
    for (const slot of slots) {
      try {
        await this.deps.discord.addOwnReaction(post.channel_id, messageId, slot.emoji);
        restored++;
      } catch (error) {
        this.deps.log.warn({ err: error, guild: guildId, message: messageId }, 'could not put a clock reaction back');
      }
    }
    this.deps.log.info({ guild: guildId, message: messageId, restored }, 'clock reactions put back after a moderator removed them');
    return restored;
  }

  /** Records that the reactions no longer show every vote, and re-renders (the message says so). */
  private async resetReactions(post: DailyPost): Promise<void> {
    await this.deps.db.updateTable('daily_posts').set({ reactions_reset_at: this.deps.clock.now() }).where('guild_id', '=', post.guild_id).where('date', '=', post.date).execute();
    this.deps.posts.touch(post);
  }
}
