import type { Kysely, Selectable } from 'kysely';
import type { DailyPostTable, Database } from '../db/schema.js';
import { slotsFor, type Slot } from '../time/slots.js';

/** A day's row of `daily_posts`: the message's intent, state and the hours it was made with. */
export type DailyPost = Selectable<DailyPostTable>;

/**
 * A create intent (`planned` row) older than this may have lost its nonce's protection on Discord's
 * side ("the past few minutes"): before creating, look for the message among recent ones.
 */
export const NONCE_TRUST_MS = 2 * 60_000;

/** The `error` of a post whose message was deleted and not (yet) replaced. */
export const MESSAGE_DELETED = 'the daily message was deleted';

/** The post's slots, from the zone and hours it was made with. */
export function slotsOfPost(post: Pick<DailyPost, 'date' | 'timezone' | 'first_hour' | 'last_hour'>): Slot[] {
  return slotsFor(post.date, post.timezone, post.first_hour, post.last_hour);
}

/** The link to the post's message in Discord. */
export function messageLink(post: Pick<DailyPost, 'guild_id' | 'channel_id' | 'message_id'>): string {
  return `https://discord.com/channels/${post.guild_id}/${post.channel_id}/${post.message_id}`;
}

/**
 * Says "this post's message must show new content". Built once from the message editor
 * ({@link MessageEditor.markDirty}), handed to every service that changes what a post shows, so
 * none of them needs the editor or the post lifecycle.
 */
export type PostChanged = (post: Pick<DailyPost, 'channel_id' | 'message_id'>) => void;

/** The `daily_posts` reads every part needs: the guild's current message, a message's post. */
export class DailyPostReader {
  constructor(protected readonly db: Kysely<Database>) {}

  /** The guild's current message: the newest one that exists on Discord. */
  async current(guildId: string): Promise<DailyPost | undefined> {
    return this.db.selectFrom('daily_posts').selectAll().where('guild_id', '=', guildId).where('message_id', 'is not', null).orderBy('date', 'desc').limit(1).executeTakeFirst();
  }

  async byMessage(messageId: string): Promise<DailyPost | undefined> {
    return this.db.selectFrom('daily_posts').selectAll().where('message_id', '=', messageId).executeTakeFirst();
  }

  /** Guilds with a daily message on Discord (the ones whose reactions can be re-read). */
  async guildsWithMessage(): Promise<string[]> {
    const rows = await this.db.selectFrom('daily_posts').select('guild_id').distinct().where('message_id', 'is not', null).execute();
    return rows.map((r) => r.guild_id);
  }

  /** The guild's post for a local date, whatever its state. */
  async load(guildId: string, date: string): Promise<DailyPost | undefined> {
    return this.db.selectFrom('daily_posts').selectAll().where('guild_id', '=', guildId).where('date', '=', date).executeTakeFirst();
  }
}
