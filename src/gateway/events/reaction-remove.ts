import type { GatewayMessageReactionRemoveDispatch } from 'discord-api-types/v10';
import type { EventHandler } from './index.js';

/**
 * A member took a reaction back. Unlike ADD, Discord sends no `member` here, so the name for the
 * re-rendered message comes from the member cache (and REST on a miss).
 * @see https://discord.com/developers/docs/events/gateway-events#message-reaction-remove
 */
export const reactionRemove: EventHandler<GatewayMessageReactionRemoveDispatch> = {
  event: 'MESSAGE_REACTION_REMOVE',
  async handle(app, { d }) {
    if (!d.guild_id) return;
    await app.availability.reactionRemoved({
      guildId: d.guild_id,
      channelId: d.channel_id,
      messageId: d.message_id,
      userId: d.user_id,
      emojiName: d.emoji.name,
      emojiId: d.emoji.id,
      isBot: d.user_id === app.config.applicationId,
    });
  },
};
