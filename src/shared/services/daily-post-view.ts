import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { MessageEdit } from '../discord/rest.js';
import { renderDailyMessage, type SlotMember } from '../render/daily-message.js';
import { MESSAGE_DELETED, messageLink, slotsOfPost, type DailyPost, type DailyPostReader } from './daily-post-row.js';
import type { MemberLabels } from './member-labels.js';

/**
 * What the daily message says: its text from the day's votes, and the `/config show` line about it.
 * Reads only; the lifecycle (posting, reactions, replacing) is {@link DailyPostService}'s.
 */
export class DailyPostView {
  constructor(private readonly deps: { db: Kysely<Database>; labels: MemberLabels; posts: DailyPostReader }) {}

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
    return renderDailyMessage({ date: post.date, zone: post.timezone, slots: slotsOfPost(post), members, labels, reactionsResetAt: post.reactions_reset_at });
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
