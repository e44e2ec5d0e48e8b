import type { GatewayMessageReactionRemoveAllDispatch, GatewayMessageReactionRemoveEmojiDispatch } from 'discord-api-types/v10';
import type { EventHandler } from './handler.js';

/**
 * A moderator removed every reaction of a message: on today's daily message the clocks go back on
 * and the votes stay (they are in the database).
 * @see https://discord.com/developers/docs/events/gateway-events#message-reaction-remove-all
 */
export const reactionRemoveAll: EventHandler<GatewayMessageReactionRemoveAllDispatch, 'postRepair'> = {
  event: 'MESSAGE_REACTION_REMOVE_ALL',
  uses: ['postRepair'],
  async handle(deps, { d }) {
    if (d.guild_id) await deps.postRepair.reactionsCleared(d.guild_id, d.message_id);
  },
};

/**
 * A moderator removed every reaction of one emoji; a clock of today's message goes back on (custom
 * emoji are never clocks).
 * @see https://discord.com/developers/docs/events/gateway-events#message-reaction-remove-emoji
 */
export const reactionRemoveEmoji: EventHandler<GatewayMessageReactionRemoveEmojiDispatch, 'postRepair'> = {
  event: 'MESSAGE_REACTION_REMOVE_EMOJI',
  uses: ['postRepair'],
  async handle(deps, { d }) {
    if (d.guild_id && !d.emoji.id && d.emoji.name) await deps.postRepair.reactionsCleared(d.guild_id, d.message_id, d.emoji.name);
  },
};
