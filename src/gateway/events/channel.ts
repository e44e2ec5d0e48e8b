import type { GatewayChannelCreateDispatch, GatewayChannelDeleteDispatch, GatewayChannelUpdateDispatch } from 'discord-api-types/v10';
import type { Deps } from '../../app.js';
import type { EventHandler } from './handler.js';

type ChannelPayload = GatewayChannelCreateDispatch['d'];

function put(deps: Deps<'guilds'>, c: ChannelPayload) {
  if (!('guild_id' in c) || !c.guild_id) return;
  return deps.guilds.putChannel(c.guild_id, { id: c.id, name: c.name ?? '', type: c.type });
}

/**
 * Guild channels, kept for names and types (and so a deleted AFK channel stops being one).
 * @see https://discord.com/developers/docs/events/gateway-events#channel-create
 */
export const channelCreate: EventHandler<GatewayChannelCreateDispatch, 'guilds'> = {
  event: 'CHANNEL_CREATE',
  uses: ['guilds'],
  handle: (deps, { d }) => put(deps, d),
};

/** @see https://discord.com/developers/docs/events/gateway-events#channel-update */
export const channelUpdate: EventHandler<GatewayChannelUpdateDispatch, 'guilds'> = {
  event: 'CHANNEL_UPDATE',
  uses: ['guilds'],
  handle: (deps, { d }) => put(deps, d),
};

/** @see https://discord.com/developers/docs/events/gateway-events#channel-delete */
export const channelDelete: EventHandler<GatewayChannelDeleteDispatch, 'guilds'> = {
  event: 'CHANNEL_DELETE',
  uses: ['guilds'],
  handle: (deps, { d }) => ('guild_id' in d && d.guild_id ? deps.guilds.deleteChannel(d.guild_id, d.id) : undefined),
};
