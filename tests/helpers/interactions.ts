import { randomBytes } from 'node:crypto';
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  ChannelType,
  InteractionType,
  PermissionFlagsBits,
  type APIApplicationCommandInteractionDataOption,
  type APIInteraction,
} from 'discord-api-types/v10';
import type { TestKeys } from './keys.js';

export const GUILD_ID = '900000000000000001';
export const CHANNEL_ID = '900000000000000010';
export const APPLICATION_ID = '900000000000000099';
export const ADMIN_ID = '900000000000000100';
export const MEMBER_ID = '900000000000000200';

export const ADMIN_PERMISSIONS = String(PermissionFlagsBits.ManageGuild | PermissionFlagsBits.SendMessages);
export const MEMBER_PERMISSIONS = String(PermissionFlagsBits.SendMessages | PermissionFlagsBits.AddReactions);

let counter = 0;
const snowflake = () => String(1_300_000_000_000_000_000n + BigInt(++counter));

export interface As {
  userId?: string;
  name?: string;
  permissions?: string;
  roles?: string[];
  guildId?: string | null;
}

function member(as: As) {
  const id = as.userId ?? ADMIN_ID;
  const user = { id, username: as.name ?? `user${id.slice(-3)}`, global_name: as.name ?? null, discriminator: '0', avatar: null };
  return {
    user,
    roles: as.roles ?? [],
    permissions: as.permissions ?? ADMIN_PERMISSIONS,
    nick: null,
    joined_at: '2025-01-01T00:00:00.000Z',
    deaf: false,
    mute: false,
    flags: 0,
  };
}

function envelope(type: InteractionType, data: unknown, as: As): APIInteraction {
  const guildId = as.guildId === undefined ? GUILD_ID : as.guildId;
  return {
    id: snowflake(),
    application_id: APPLICATION_ID,
    type,
    data,
    token: randomBytes(24).toString('base64url'),
    version: 1,
    ...(guildId ? { guild_id: guildId, member: member(as) } : { user: member(as).user }),
    channel: { id: CHANNEL_ID, type: ChannelType.GuildText },
    channel_id: CHANNEL_ID,
    locale: 'en-US',
    app_permissions: '0',
    entitlements: [],
    authorizing_integration_owners: {},
  } as unknown as APIInteraction;
}

/** A slash command as Discord nests it: `command('config', 'hours', [int('first', 18), …])`. */
export function command(name: string, subcommand: string | null, options: APIApplicationCommandInteractionDataOption[] = [], as: As = {}, resolved?: unknown): APIInteraction {
  const data = {
    id: snowflake(),
    name,
    type: ApplicationCommandType.ChatInput,
    options: subcommand ? [{ type: ApplicationCommandOptionType.Subcommand, name: subcommand, options }] : options,
    ...(resolved ? { resolved } : {}),
  };
  return envelope(InteractionType.ApplicationCommand, data, as);
}

export function autocomplete(name: string, subcommand: string, focused: { name: string; value: string }, as: As = {}): APIInteraction {
  const data = {
    id: snowflake(),
    name,
    type: ApplicationCommandType.ChatInput,
    options: [{ type: ApplicationCommandOptionType.Subcommand, name: subcommand, options: [{ type: ApplicationCommandOptionType.String, name: focused.name, value: focused.value, focused: true }] }],
  };
  return envelope(InteractionType.ApplicationCommandAutocomplete, data, as);
}

export function component(customId: string, values: string[] = [], as: As = {}): APIInteraction {
  const data = values.length ? { custom_id: customId, component_type: 3, values } : { custom_id: customId, component_type: 2 };
  return {
    ...envelope(InteractionType.MessageComponent, data, as),
    message: { id: snowflake(), channel_id: CHANNEL_ID, content: '', components: [] },
  } as unknown as APIInteraction;
}

export const ping = (): APIInteraction => envelope(InteractionType.Ping, undefined, { guildId: null });

export const str = (name: string, value: string) => ({ type: ApplicationCommandOptionType.String as const, name, value });
export const int = (name: string, value: number) => ({ type: ApplicationCommandOptionType.Integer as const, name, value });
export const channelOpt = (name: string, value: string) => ({ type: ApplicationCommandOptionType.Channel as const, name, value });

/** The headers and body Discord would send, signed with `keys` at `timestamp` (unix seconds). */
export function signed(keys: TestKeys, body: unknown, timestamp = Math.floor(Date.now() / 1000)) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const ts = String(timestamp);
  return {
    payload,
    headers: {
      'content-type': 'application/json',
      'x-signature-ed25519': keys.sign(ts, payload),
      'x-signature-timestamp': ts,
    },
  };
}
