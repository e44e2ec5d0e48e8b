import type { GatewayMessageReactionAddDispatchData, GatewayMessageReactionRemoveDispatchData } from 'discord-api-types/v10';
import type { ReactionEvent } from '../../shared/services/availability.js';

/** A reaction dispatch → what the availability service takes; undefined outside guilds. */
export function toReactionEvent(d: GatewayMessageReactionAddDispatchData | GatewayMessageReactionRemoveDispatchData, botId: string): ReactionEvent | undefined {
  if (!d.guild_id) return undefined;
  const member = 'member' in d ? d.member : undefined;
  return {
    guildId: d.guild_id,
    channelId: d.channel_id,
    messageId: d.message_id,
    userId: d.user_id,
    emojiName: d.emoji.name,
    emojiId: d.emoji.id,
    // REMOVE has no member: only our own is known (and the service needs no more, see ReactionEvent).
    isBot: d.user_id === botId || member?.user?.bot === true,
  };
}
