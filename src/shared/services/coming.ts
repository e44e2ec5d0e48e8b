import type { Db } from '../db/schema.js';
import { isComing } from '../render/daily-message.js';
import type { DailyPost } from './daily-post-row.js';

/**
 * Who counts as coming in each hour slot of a daily message, by the message's own predicate
 * ({@link isComing}: clicked, scheduled or seen in voice), in the order they declared, without members
 * who left the server — the same people the message lists. Party alerts and reminders count with it.
 */
export async function comingBySlot(db: Db, post: Pick<DailyPost, 'guild_id' | 'date'>): Promise<Map<number, string[]>> {
  const rows = await db
    .selectFrom('availability')
    .select(['user_id', 'hour', 'declared', 'seen_in_voice'])
    .where('guild_id', '=', post.guild_id)
    .where('date', '=', post.date)
    .where('user_id', 'not in', (eb) => eb.selectFrom('departed_members').select('user_id').where('guild_id', '=', post.guild_id))
    .orderBy('updated_at')
    .orderBy('user_id')
    .execute();
  const bySlot = new Map<number, string[]>();
  for (const r of rows) {
    if (!isComing({ userId: r.user_id, declared: r.declared, seenInVoice: r.seen_in_voice === 1 })) continue;
    bySlot.set(r.hour, [...(bySlot.get(r.hour) ?? []), r.user_id]);
  }
  return bySlot;
}
