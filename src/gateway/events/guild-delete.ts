import type { GatewayGuildDeleteDispatch } from 'discord-api-types/v10';
import type { EventHandler } from './handler.js';

/**
 * GUILD_DELETE: the bot left the guild, or the guild went unavailable in an outage. Either way the
 * bot stops seeing its voice channels, so open stays end now (estimated when it is an outage: the
 * members may still be there, and GUILD_CREATE reopens their stays when it comes back).
 * @see https://discord.com/developers/docs/events/gateway-events#guild-delete
 */
export const guildDelete: EventHandler<GatewayGuildDeleteDispatch, 'clock' | 'voice'> = {
  event: 'GUILD_DELETE',
  uses: ['clock', 'voice'],
  async handle(deps, { d }) {
    await deps.voice.closeAll(deps.clock.now(), { estimated: d.unavailable === true, guildId: d.id });
  },
};
