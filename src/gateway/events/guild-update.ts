import type { GatewayGuildUpdateDispatch } from 'discord-api-types/v10';
import type { EventHandler } from './handler.js';

/**
 * GUILD_UPDATE: name, AFK channel and the full role list.
 * @see https://discord.com/developers/docs/events/gateway-events#guild-update
 */
export const guildUpdate: EventHandler<GatewayGuildUpdateDispatch, 'guilds'> = {
  event: 'GUILD_UPDATE',
  uses: ['guilds'],
  async handle(deps, { d }) {
    await deps.guilds.update(d.id, {
      name: d.name,
      afkChannelId: d.afk_channel_id,
      roles: d.roles.map((r) => ({ id: r.id, name: r.name, position: r.position })),
    });
  },
};
