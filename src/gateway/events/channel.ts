import type { GatewayChannelCreateDispatch, GatewayChannelDeleteDispatch, GatewayChannelUpdateDispatch } from 'discord-api-types/v10';
import type { EventHandler } from './handler.js';

type ChannelPayload = GatewayChannelCreateDispatch['d'];

function put(app: Parameters<EventHandler['handle']>[0], c: ChannelPayload) {
  if (!('guild_id' in c) || !c.guild_id) return;
  return app.guilds.putChannel(c.guild_id, { id: c.id, name: c.name ?? '', type: c.type });
}

/**
 * Guild channels, kept for names and types (and so a deleted AFK channel stops being one).
 * @see https://discord.com/developers/docs/events/gateway-events#channel-create
 */
export const channelCreate: EventHandler<GatewayChannelCreateDispatch> = {
  event: 'CHANNEL_CREATE',
  handle: (app, { d }) => put(app, d),
};

/** @see https://discord.com/developers/docs/events/gateway-events#channel-update */
export const channelUpdate: EventHandler<GatewayChannelUpdateDispatch> = {
  event: 'CHANNEL_UPDATE',
  handle: (app, { d }) => put(app, d),
};

/** @see https://discord.com/developers/docs/events/gateway-events#channel-delete */
export const channelDelete: EventHandler<GatewayChannelDeleteDispatch> = {
  event: 'CHANNEL_DELETE',
  handle: (app, { d }) => ('guild_id' in d && d.guild_id ? app.guilds.deleteChannel(d.guild_id, d.id) : undefined),
};
