import type { Deps } from '../../app.js';

/**
 * After a session that could not resume (and at start) reactions may have been missed: re-read
 * each current daily message's reactions over REST and rebuild availability from them, then take off
 * the foreign emoji on it that would have been removed live (see `ReactionCleaner.sweepStrays`).
 */
export const reconcileReactions = {
  uses: ['posts', 'availability', 'reactions', 'log'] as const,
  async run(deps: Deps<'posts' | 'availability' | 'reactions' | 'log'>): Promise<void> {
    for (const guildId of await deps.posts.guildsWithMessage()) {
      try {
        await deps.availability.reconcile(guildId);
      } catch (error) {
        deps.log.warn({ err: error, guild: guildId }, 'could not reconcile reactions');
      }
      try {
        await deps.reactions.sweepStrays(guildId);
      } catch (error) {
        deps.log.warn({ err: error, guild: guildId }, 'could not remove stray reactions');
      }
    }
  },
};
