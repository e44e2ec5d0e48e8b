import { DateTime } from 'luxon';
import type { Logger } from '../logger.js';
import type { Job } from '../scheduler.js';
import type { GuildConfigService } from './guild-config.js';
import type { VoiceSessions } from './voice-sessions.js';

/** Where "seen in voice" goes: the availability of today's daily message (a no-op outside its slots). */
export interface SeenInVoice {
  markSeen(guildId: string, userId: string, atMs: number): Promise<boolean>;
}

/**
 * Auto-add: a member in a non-AFK voice channel is marked "seen in voice" in the slot of today's
 * message that contains the moment — when they join, and again at each hour boundary while they
 * stay. As a scheduler job it acts once per guild-local hour in which a slot of today's message
 * took them, so a late or repeated tick adds nothing twice (and `markSeen` is idempotent anyway).
 */
export class VoiceAutoAdd implements Job {
  readonly name = 'voice-auto-add';
  /** Guild → the local hour (`yyyy-MM-ddTHH`, guild zone) already handled. */
  private readonly handled = new Map<string, string>();

  constructor(
    private readonly deps: {
      voice: VoiceSessions;
      guildConfig: GuildConfigService;
      log: Logger;
      /** Late-bound: the availability service is built next to this one. */
      seen: () => SeenInVoice | undefined;
    },
  ) {}

  /** VoiceSessions' `onJoin`: a member just started a non-AFK stay. */
  readonly onJoin = async (guildId: string, userId: string, at: number): Promise<void> => {
    await this.deps.seen()?.markSeen(guildId, userId, at);
  };

  async run(now: number): Promise<void> {
    const seen = this.deps.seen();
    if (!seen) return;
    const byGuild = new Map<string, string[]>();
    for (const stay of await this.deps.voice.openStays()) {
      if (stay.afk) continue;
      byGuild.set(stay.guildId, [...(byGuild.get(stay.guildId) ?? []), stay.userId]);
    }
    for (const [guildId, userIds] of byGuild) {
      const { timezone } = await this.deps.guildConfig.get(guildId);
      const hour = DateTime.fromMillis(now, { zone: timezone }).toFormat("yyyy-MM-dd'T'HH");
      if (this.handled.get(guildId) === hour) continue;
      let inSlot = false;
      for (const userId of userIds) {
        try {
          inSlot = (await seen.markSeen(guildId, userId, now)) || inSlot;
        } catch (error) {
          this.deps.log.error({ err: error, guildId, userId }, 'auto-add at hour boundary failed');
        }
      }
      // Done for this hour only once a slot took them: a message posted mid-hour (`/config
      // post-now`) still gets the members who were already in voice, at the next tick.
      if (inSlot) this.handled.set(guildId, hour);
    }
  }
}
