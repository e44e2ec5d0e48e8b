import type { GatewayMessageReactionAddDispatch } from 'discord-api-types/v10';
import type { EventHandler } from './handler.js';
import { toReactionEvent } from './reaction-translate.js';
import { toMemberInfo } from './voice-translate.js';

/**
 * A member clicked a reaction. In guilds the payload carries `member` (roles, nick), which feeds the
 * member cache so the re-rendered message needs no REST call for this name (bots too: the cache's
 * bot flag is how charts leave them out).
 * @see https://discord.com/developers/docs/events/gateway-events#message-reaction-add
 */
export const reactionAdd: EventHandler<GatewayMessageReactionAddDispatch, 'availability' | 'config' | 'members'> = {
  event: 'MESSAGE_REACTION_ADD',
  uses: ['availability', 'config', 'members'],
  async handle(deps, { d }) {
    const event = toReactionEvent(d, deps.config.applicationId);
    if (!event) return;
    const member = toMemberInfo(d.member);
    if (member) await deps.members.remember(event.guildId, member);
    await deps.availability.reactionAdded(event);
  },
};
