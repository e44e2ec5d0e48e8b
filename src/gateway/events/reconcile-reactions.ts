import type { App } from '../../shared/app.js';
import { DiscordRequestError } from '../../shared/discord/errors.js';

/** A failure that may pass (5xx, 429 given up on, network): worth trying again. */
export function isTransient(error: unknown): boolean {
  return !(error instanceof DiscordRequestError) || !error.permanent;
}

/**
 * After a session that could not resume (and at start) reactions may have been missed: re-read
 * each current daily message's reactions over REST and rebuild availability from them, then take off
 * the foreign emoji on it that would have been removed live (see `AvailabilityService.sweepStrays`).
 */
/**
 * Returns false when a guild's reactions could not be re-read for a reason that may pass (Discord
 * answering 5xx right after a reconnect): the caller tries again later, as the votes cast during the
 * gap are known nowhere else.
 */
export async function reconcileReactions(app: App): Promise<boolean> {
  let complete = true;
  const guilds = await app.db.selectFrom('daily_posts').select('guild_id').distinct().where('message_id', 'is not', null).execute();
  for (const { guild_id } of guilds) {
    try {
      await app.availability.reconcile(guild_id);
    } catch (error) {
      if (isTransient(error)) complete = false;
      app.log.warn({ err: error, guild: guild_id, retry: isTransient(error) }, 'could not reconcile reactions');
    }
    try {
      await app.availability.sweepStrays(guild_id);
    } catch (error) {
      app.log.warn({ err: error, guild: guild_id }, 'could not remove stray reactions');
    }
  }
  return complete;
}
