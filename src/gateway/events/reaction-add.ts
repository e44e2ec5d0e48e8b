import type { GatewayMessageReactionAddDispatch } from 'discord-api-types/v10';
import type { EventHandler } from './index.js';
import { toMemberInfo } from './voice-translate.js';

/**
 * A member clicked a reaction. In guilds the payload carries `member` (roles, nick), which feeds the
 * member cache so the re-rendered message needs no REST call for this name.
 * @see https://discord.com/developers/docs/events/gateway-events#message-reaction-add
 */
export const reactionAdd: EventHandler<GatewayMessageReactionAddDispatch> = {
  event: 'MESSAGE_REACTION_ADD',
  async handle(app, { d }) {
    if (!d.guild_id) return;
    const member = toMemberInfo(d.member);
    if (member && !member.bot) await app.members.remember(d.guild_id, member);
    await app.availability.reactionAdded({
      guildId: d.guild_id,
      channelId: d.channel_id,
      messageId: d.message_id,
      userId: d.user_id,
      emojiName: d.emoji.name,
      emojiId: d.emoji.id,
      isBot: d.member?.user?.bot === true || d.user_id === app.config.applicationId,
    });
  },
};
