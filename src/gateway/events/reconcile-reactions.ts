import type { Deps } from '../../app.js';
import type { FreshSessionRepair } from './handler.js';
import { DiscordRequestError } from '../../shared/discord/errors.js';
import { ownsGuild } from '../../shared/shards.js';

/** A failure that may pass (5xx, 429 given up on, network): worth trying again. */
export function isTransient(error: unknown): boolean {
  return !(error instanceof DiscordRequestError) || !error.permanent;
}

/**
 * After a session that could not resume (and at start) reactions may have been missed: re-read
 * each current daily message's reactions over REST and rebuild availability from them, then take off
 * the foreign emoji on it that would have been removed live (see `ReactionCleaner.sweepStrays`).
 * Answers false when a guild's reactions could not be re-read for a reason that may pass (Discord
 * answering 5xx right after a reconnect): the caller tries again later, as the votes cast during the
 * gap are known nowhere else.
 */
export const reconcileReactions: FreshSessionRepair<'posts' | 'availability' | 'reactions' | 'log' | 'config'> = {
  uses: ['posts', 'availability', 'reactions', 'log', 'config'],
  async run(deps: Deps<'posts' | 'availability' | 'reactions' | 'log' | 'config'>): Promise<boolean> {
    let complete = true;
    for (const guildId of await deps.posts.guildsWithMessage()) {
      // Another gateway process holds the other shards' guilds, and their events.
      if (!ownsGuild(deps.config.shards, guildId)) continue;
      try {
        await deps.availability.reconcile(guildId);
      } catch (error) {
        if (isTransient(error)) complete = false;
        deps.log.warn({ err: error, guild: guildId, retry: isTransient(error) }, 'could not reconcile reactions');
      }
      try {
        await deps.reactions.sweepStrays(guildId);
      } catch (error) {
        deps.log.warn({ err: error, guild: guildId }, 'could not remove stray reactions');
      }
    }
    return complete;
  },
};

/** Edits a crash left pending go out after a new session, even when nothing changed since. */
export const resumePendingEdits: FreshSessionRepair<'editor'> = {
  uses: ['editor'],
  async run(deps: Deps<'editor'>): Promise<boolean> {
    await deps.editor.resumePending();
    return true;
  },
};
