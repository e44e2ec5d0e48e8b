import type { APIBaseVoiceState, APIGuildMember } from 'discord-api-types/v10';
import { toFetchedMember } from '../../shared/discord/shapes.js';
import type { MemberInfo } from '../../shared/services/members.js';
import type { VoiceState } from '../../shared/services/voice-sessions.js';

/**
 * Discord's voice state → what the voice service tracks. Server mute/deafen count like self.
 * @see https://discord.com/developers/docs/resources/voice#voice-state-object
 */
export function toVoiceState(d: APIBaseVoiceState, bot: boolean): VoiceState {
  return {
    userId: d.user_id,
    channelId: d.channel_id,
    muted: d.self_mute || d.mute,
    deafened: d.self_deaf || d.deaf,
    bot,
  };
}

/** A member object from a payload → the member cache's shape; undefined when it lacks its user. */
export function toMemberInfo(member: Partial<Pick<APIGuildMember, 'user' | 'nick' | 'roles' | 'avatar'>> | undefined): MemberInfo | undefined {
  if (!member?.user) return undefined;
  return toFetchedMember({ user: member.user, nick: member.nick ?? null, roles: member.roles ?? [], avatar: member.avatar ?? null });
}
