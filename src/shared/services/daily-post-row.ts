import type { Selectable } from 'kysely';
import type { DailyPostTable } from '../db/schema.js';
import { slotsFor, type Slot } from '../time/slots.js';

/** A day's row of `daily_posts`: the message's intent, state and the hours it was made with. */
export type DailyPost = Selectable<DailyPostTable>;

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
