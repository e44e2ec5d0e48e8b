import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { MessageEdit } from '../discord/shapes.js';
import { renderDailyMessage, type SlotMember } from '../render/daily-message.js';
import { weekdayOf, type Slot } from '../time/slots.js';
import { MESSAGE_DELETED, messageLink, slotsOfPost, type DailyPost, type DailyPostReader } from './daily-post-row.js';
import type { MemberLabels } from './member-labels.js';
import { expectedInVoice, type TurnoutForecast } from './turnout-forecast.js';

/**
 * What the daily message says: its text from the day's votes, and the `/config show` line about it.
 * Reads only; the lifecycle (posting, reactions, replacing) is {@link DailyPostService}'s.
 */
export class DailyPostView {
  constructor(private readonly deps: { db: Kysely<Database>; labels: MemberLabels; posts: DailyPostReader; forecast?: TurnoutForecast }) {}

  /** The message text for the post's current state. */
  async content(post: DailyPost): Promise<string> {
    const rows = await this.deps.db
      .selectFrom('availability')
      .select(['user_id', 'hour', 'declared', 'seen_in_voice'])
      .where('guild_id', '=', post.guild_id)
      .where('date', '=', post.date)
      .orderBy('updated_at')
      .orderBy('user_id')
      .execute();
    const userIds = [...new Set(rows.map((r) => r.user_id))];
    // The look-up of names is where a departure shows (10007), so who left is read after it.
    const labels = await this.deps.labels.labels(post.guild_id, userIds);
    const departed = new Set((await this.deps.db.selectFrom('departed_members').select('user_id').where('guild_id', '=', post.guild_id).execute()).map((r) => r.user_id));
    const members = new Map<number, SlotMember[]>();
    for (const r of rows) {
      if (departed.has(r.user_id)) continue; // left the server: off the message, their rows kept for retention
      const list = members.get(r.hour) ?? [];
      list.push({ userId: r.user_id, declared: r.declared, seenInVoice: r.seen_in_voice === 1 });
      members.set(r.hour, list);
    }
    const slots = slotsOfPost(post);
    const likely = await this.likely(post, slots, members);
    return renderDailyMessage({ date: post.date, zone: post.timezone, slots, members, labels, reactionsResetAt: post.reactions_reset_at, ...(likely ? { likely } : {}) });
  }

  /** "Likely N" per slot hour; the model is cached per guild and day, so a render only sums. */
  private async likely(post: DailyPost, slots: readonly Slot[], members: ReadonlyMap<number, readonly SlotMember[]>): Promise<Map<number, number> | undefined> {
    const forecast = await this.deps.forecast?.forDay(post.guild_id, post.date, post.timezone);
    if (!forecast) return undefined;
    const weekday = weekdayOf(post.date);
    // An after-midnight slot is on the next weekday, as the model reads it.
    return new Map(slots.map((slot) => [slot.hour, expectedInVoice(forecast, members.get(slot.hour) ?? [], ((weekday + slot.dayOffset - 1) % 7) + 1)]));
  }

  /** For the message editor: what the message with this id should say now. */
  async renderById(messageId: string): Promise<MessageEdit | null> {
    const post = await this.deps.posts.byMessage(messageId);
    return post ? { content: await this.content(post) } : null;
  }
  /** The `/config show` line about the latest daily message, with what went wrong if anything did. */
  async statusLine(guildId: string): Promise<string> {
    const post = await this.deps.posts.current(guildId);
    const failed = await this.deps.db
      .selectFrom('daily_posts')
      .select(['date', 'error', 'channel_id'])
      .where('guild_id', '=', guildId)
      .where('state', '=', 'failed')
      .where('message_id', 'is', null)
      .orderBy('date', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (failed && (!post || failed.date > post.date) && failed.error === MESSAGE_DELETED) {
      return `Last daily message (${failed.date}): ⚠️ deleted in <#${failed.channel_id}>, and not replaced again today. \`/config post-now\` posts a new one (the votes are kept).`;
    }
    if (failed && (!post || failed.date > post.date)) {
      return `Last daily message (${failed.date}): ⚠️ not posted in <#${failed.channel_id}>: ${failed.error}. Fix my permissions, then \`/config post-now\`.`;
    }
    if (!post) return 'No daily message posted yet.';
    if (post.state === 'failed') {
      return `Latest daily message (${post.date}): ${messageLink(post)} ⚠️ posted, but the hour reactions are missing: ${post.error}. Fix my permissions in <#${post.channel_id}>, then \`/config post-now\`.`;
    }
    return `Latest daily message (${post.date}): ${messageLink(post)}`;
  }
}
