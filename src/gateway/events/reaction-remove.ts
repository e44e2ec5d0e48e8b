import type { GatewayMessageReactionRemoveDispatch } from 'discord-api-types/v10';
import type { EventHandler } from './handler.js';
import { toReactionEvent } from './reaction-translate.js';

/**
 * A member took a reaction back. Unlike ADD, Discord sends no `member` here, so the name for the
 * re-rendered message comes from the member cache (and REST on a miss).
 * @see https://discord.com/developers/docs/events/gateway-events#message-reaction-remove
 */
export const reactionRemove: EventHandler<GatewayMessageReactionRemoveDispatch, 'availability' | 'config'> = {
  event: 'MESSAGE_REACTION_REMOVE',
  uses: ['availability', 'config'],
  async handle(deps, { d }) {
    const event = toReactionEvent(d, deps.config.applicationId);
    if (event) await deps.availability.reactionRemoved(event);
  },
};
