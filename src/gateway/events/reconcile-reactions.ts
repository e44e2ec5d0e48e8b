import type { App } from '../../shared/app.js';

/**
 * After a session that could not resume (and at start) reactions may have been missed: re-read
 * each current daily message's reactions over REST and rebuild availability from them, then take off
 * the foreign emoji on it that would have been removed live (see `AvailabilityService.sweepStrays`).
 */
export async function reconcileReactions(app: App): Promise<void> {
  const guilds = await app.db.selectFrom('daily_posts').select('guild_id').distinct().where('message_id', 'is not', null).execute();
  for (const { guild_id } of guilds) {
    try {
      await app.availability.reconcile(guild_id);
    } catch (error) {
      app.log.warn({ err: error, guild: guild_id }, 'could not reconcile reactions');
    }
    try {
      await app.reactions.sweepStrays(guild_id);
    } catch (error) {
      app.log.warn({ err: error, guild: guild_id }, 'could not remove stray reactions');
    }
  }
}
