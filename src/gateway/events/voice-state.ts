import type { GatewayVoiceStateUpdateDispatch } from 'discord-api-types/v10';
import type { EventHandler } from './handler.js';
import { toMemberInfo, toVoiceState } from './voice-translate.js';

/**
 * VOICE_STATE_UPDATE: a member joined, moved, left, or (un)muted/deafened. The `member` it carries
 * also refreshes the member cache for free.
 * @see https://discord.com/developers/docs/events/gateway-events#voice-state-update
 */
export const voiceStateUpdate: EventHandler<GatewayVoiceStateUpdateDispatch, 'clock' | 'greeting' | 'members' | 'privacy' | 'voice'> = {
  event: 'VOICE_STATE_UPDATE',
  uses: ['clock', 'greeting', 'members', 'privacy', 'voice'],
  async handle(deps, { d }) {
    if (!d.guild_id) return;
    const at = deps.clock.now();
    const member = toMemberInfo(d.member);
    // Queued before anything is awaited, so events of one guild are applied in arrival order.
    const applied = deps.voice.update(d.guild_id, toVoiceState(d, member?.bot ?? false), at);
    // A member who turned voice tracking off leaves no trace from voice events, not even a name
    // refresh (their stay is refused by the same check inside VoiceSessions).
    if (member && (await deps.privacy.isTracked(d.guild_id, member.userId))) await deps.members.remember(d.guild_id, member);
    await applied;
    // Decides quickly (a few reads) and never throws; the greeting itself runs on its own.
    await deps.greeting.onVoiceState(d.guild_id, { userId: d.user_id, channelId: d.channel_id, bot: member?.bot ?? false }, at);
  },
};
