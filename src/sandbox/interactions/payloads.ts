/**
 * Interaction payloads as Discord POSTs them to an app: the member (with computed `permissions`),
 * channel, `app_permissions`, locales, and `data` for commands (nested options, `resolved`),
 * components, autocomplete and modal submits.
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object
 * @see https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-option-structure
 */
import { ApplicationCommandOptionType, InteractionType } from 'discord-api-types/v10';
import { channelJson, memberJson, messageJson, roleJson, userJson } from '../state/serialize.js';
import type { CommandRecord, World } from '../state/world.js';

/** A command option as a test writes it; `type` may be left out when the command is registered. */
export interface CommandOptionInput {
  name: string;
  type?: number;
  value?: string | number | boolean;
  options?: CommandOptionInput[];
  /** The option being typed in (autocomplete). */
  focused?: boolean;
}

interface Resolved {
  users?: Record<string, unknown>;
  members?: Record<string, unknown>;
  roles?: Record<string, unknown>;
  channels?: Record<string, unknown>;
}

export interface PayloadBase {
  id: string;
  token: string;
  type: InteractionType;
  channelId: string;
  userId: string;
}

function resolvedChannel(world: World, channelId: string, viewerId: string): Record<string, unknown> {
  const c = world.channel(channelId);
  return { ...(channelJson(world, c) as unknown as Record<string, unknown>), permissions: world.permissionsIn(c.id, viewerId).toString() };
}

/** The fields every interaction has. */
export function basePayload(world: World, b: PayloadBase): Record<string, unknown> {
  const channel = world.channel(b.channelId);
  const user = world.user(b.userId);
  const payload: Record<string, unknown> = {
    app_permissions: world.permissionsIn(channel.id, world.botUserId).toString(),
    application_id: world.application.id,
    attachment_size_limit: 10 * 1024 * 1024,
    channel: resolvedChannel(world, channel.id, b.userId),
    channel_id: channel.id,
    entitlement_sku_ids: [],
    entitlements: [],
    id: b.id,
    locale: user.locale,
    token: b.token,
    type: b.type,
    version: 1,
  };
  if (channel.guildId) {
    const guild = world.guild(channel.guildId);
    payload.authorizing_integration_owners = { '0': guild.id };
    payload.context = 0;
    payload.guild = { id: guild.id, locale: guild.preferredLocale, features: [] };
    payload.guild_id = guild.id;
    payload.guild_locale = guild.preferredLocale;
    payload.member = { ...memberJson(world, guild.id, b.userId), permissions: world.permissionsIn(channel.id, b.userId).toString() };
  } else {
    payload.authorizing_integration_owners = { '0': world.application.id };
    payload.context = 1;
    payload.user = userJson(world, b.userId);
  }
  return payload;
}

function addResolved(world: World, guildId: string | null, resolved: Resolved, type: number, value: unknown, viewerId: string): void {
  const id = String(value);
  const addUser = () => {
    (resolved.users ??= {})[id] = userJson(world, id);
    if (guildId && world.guild(guildId).members.has(id)) {
      const { user: _u, ...member } = memberJson(world, guildId, id) as unknown as Record<string, unknown>;
      (resolved.members ??= {})[id] = { ...member, permissions: world.guildPermissions(guildId, id).toString() };
    }
  };
  const addRole = () => {
    const role = guildId ? world.guild(guildId).roles.get(id) : undefined;
    if (!role) throw new Error(`role ${id} does not exist in the guild`);
    (resolved.roles ??= {})[id] = roleJson(role);
  };
  switch (type) {
    case ApplicationCommandOptionType.User:
      return addUser();
    case ApplicationCommandOptionType.Role:
      return addRole();
    case ApplicationCommandOptionType.Channel:
      (resolved.channels ??= {})[id] = resolvedChannel(world, id, viewerId);
      return;
    case ApplicationCommandOptionType.Mentionable:
      return world.users.has(id) ? addUser() : addRole();
  }
}

/** Builds Discord's option tree from what a test gave, taking types from the registered definition. */
function buildOptions(world: World, guildId: string | null, defs: any[] | undefined, given: CommandOptionInput[], resolved: Resolved, viewerId: string, path: string): unknown[] {
  return given.map((o) => {
    const def = defs?.find((d) => d?.name === o.name);
    if (defs && !def) throw new Error(`option "${o.name}" is not defined for ${path}`);
    const type = o.type ?? def?.type;
    if (typeof type !== 'number') throw new Error(`option "${o.name}" of ${path} needs a type (the command is not registered)`);
    if (type === ApplicationCommandOptionType.Subcommand || type === ApplicationCommandOptionType.SubcommandGroup) {
      return { name: o.name, type, options: buildOptions(world, guildId, def?.options ?? (defs ? [] : undefined), o.options ?? [], resolved, viewerId, `${path} ${o.name}`) };
    }
    if (!o.focused && o.value !== undefined) addResolved(world, guildId, resolved, type, o.value, viewerId);
    return { name: o.name, type, value: o.value, ...(o.focused ? { focused: true } : {}) };
  });
}

/** `data` of an APPLICATION_COMMAND or _AUTOCOMPLETE interaction. */
export function commandData(world: World, command: CommandRecord | null, name: string, options: CommandOptionInput[], channelId: string, viewerId: string): Record<string, unknown> {
  const guildId = world.channel(channelId).guildId;
  const resolved: Resolved = {};
  const body = command?.body as { options?: any[]; type?: number } | undefined;
  const data: Record<string, unknown> = {
    id: command?.id ?? world.ids.next(),
    name,
    type: body?.type ?? 1,
    options: buildOptions(world, guildId, command ? (body?.options ?? []) : undefined, options, resolved, viewerId, `/${name}`),
  };
  if (command?.guildId) data.guild_id = command.guildId;
  if (Object.keys(resolved).length > 0) data.resolved = resolved;
  return data;
}

/** `data` + `message` of a MESSAGE_COMPONENT interaction. */
export function componentData(
  world: World,
  messageId: string,
  customId: string,
  componentType: number,
  values: string[] | undefined,
  viewerId: string,
): { data: Record<string, unknown>; message: unknown } {
  const message = world.findMessage(messageId);
  const data: Record<string, unknown> = { custom_id: customId, component_type: componentType };
  if (values) {
    data.values = values;
    const resolved: Resolved = {};
    const typeFor: Record<number, number> = {
      5: ApplicationCommandOptionType.User,
      6: ApplicationCommandOptionType.Role,
      7: ApplicationCommandOptionType.Mentionable,
      8: ApplicationCommandOptionType.Channel,
    };
    const optionType = typeFor[componentType];
    if (optionType !== undefined) for (const v of values) addResolved(world, message.guildId, resolved, optionType, v, viewerId);
    if (Object.keys(resolved).length > 0) data.resolved = resolved;
  }
  return { data, message: messageJson(world, message, world.botUserId) };
}
