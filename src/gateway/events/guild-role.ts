import type { GatewayGuildRoleCreateDispatch, GatewayGuildRoleDeleteDispatch, GatewayGuildRoleUpdateDispatch } from 'discord-api-types/v10';
import type { EventHandler } from './handler.js';

/**
 * Role changes keep the rank order (role positions) of the guild cache current.
 * @see https://discord.com/developers/docs/events/gateway-events#guild-role-create
 */
export const guildRoleCreate: EventHandler<GatewayGuildRoleCreateDispatch, 'guilds'> = {
  event: 'GUILD_ROLE_CREATE',
  uses: ['guilds'],
  handle: (deps, { d }) => deps.guilds.putRole(d.guild_id, { id: d.role.id, name: d.role.name, position: d.role.position }),
};

/** @see https://discord.com/developers/docs/events/gateway-events#guild-role-update */
export const guildRoleUpdate: EventHandler<GatewayGuildRoleUpdateDispatch, 'guilds'> = {
  event: 'GUILD_ROLE_UPDATE',
  uses: ['guilds'],
  handle: (deps, { d }) => deps.guilds.putRole(d.guild_id, { id: d.role.id, name: d.role.name, position: d.role.position }),
};

/** @see https://discord.com/developers/docs/events/gateway-events#guild-role-delete */
export const guildRoleDelete: EventHandler<GatewayGuildRoleDeleteDispatch, 'guilds'> = {
  event: 'GUILD_ROLE_DELETE',
  uses: ['guilds'],
  handle: (deps, { d }) => deps.guilds.deleteRole(d.guild_id, d.role_id),
};
