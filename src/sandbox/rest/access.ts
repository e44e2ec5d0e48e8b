/**
 * What the bot may see and do in a channel: 10003 when the channel does not exist, 50001 Missing
 * Access without View Channel, 50013 Missing Permissions without the rest.
 * @see https://discord.com/developers/docs/topics/permissions
 */
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { fieldError, invalidFormBody, missingAccess, missingPermissions } from '../errors.js';
import { has } from '../permissions.js';
import type { ChannelRecord, World } from '../state/world.js';

export function botChannel(world: World, channelId: string, ...required: bigint[]): ChannelRecord {
  const channel = world.channel(channelId);
  const permissions = world.permissionsIn(channelId, world.botUserId);
  if (!has(permissions, PermissionFlagsBits.ViewChannel)) throw missingAccess();
  for (const p of required) if (!has(permissions, p)) throw missingPermissions();
  return channel;
}

/** The bot must be a member of the guild (50001 otherwise, 10004 when it does not exist). */
export function botGuild(world: World, guildId: string) {
  const guild = world.guild(guildId);
  if (!guild.members.has(world.botUserId)) throw missingAccess();
  return guild;
}

/** An integer query parameter in Discord's range (50035 outside it), or the default. */
export function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw invalidFormBody(fieldError([name], 'NUMBER_TYPE_COERCE', `Value "${raw}" is not int.`));
  if (n < min) throw invalidFormBody(fieldError([name], 'NUMBER_TYPE_MIN', `int value should be greater than or equal to ${min}.`));
  if (n > max) throw invalidFormBody(fieldError([name], 'NUMBER_TYPE_MAX', `int value should be less than or equal to ${max}.`));
  return n;
}
