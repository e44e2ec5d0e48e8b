import {
  ApplicationCommandOptionType,
  PermissionFlagsBits,
  type APIApplicationCommandInteractionDataOption,
  type APIChatInputApplicationCommandInteraction,
  type APIInteractionDataResolvedChannel,
  type APIInteractionGuildMember,
  type APIRole,
  type APIUser,
  type APIMessageComponentInteraction,
  type APIApplicationCommandAutocompleteInteraction,
} from 'discord-api-types/v10';
import type { Logger } from '../shared/logger.js';
import { isPermissionBits } from './shape.js';

type AnyInteraction = APIChatInputApplicationCommandInteraction | APIMessageComponentInteraction | APIApplicationCommandAutocompleteInteraction;

/** Who is acting, read from the interaction payload (no REST call needed). */
export interface Actor {
  userId: string;
  displayName: string;
  roleIds: string[];
  /** Administrator or Manage Guild, from `member.permissions` (computed by Discord with overwrites). */
  isAdmin: boolean;
  isBot: boolean;
}

export function actorOf(interaction: AnyInteraction): Actor {
  const member: APIInteractionGuildMember | undefined = interaction.member;
  const user: APIUser | undefined = member?.user ?? interaction.user;
  const permissions = permissionBits(member?.permissions);
  const admin = PermissionFlagsBits.Administrator | PermissionFlagsBits.ManageGuild;
  return {
    userId: user?.id ?? '0',
    displayName: member?.nick ?? user?.global_name ?? user?.username ?? 'someone',
    roleIds: member?.roles ?? [],
    isAdmin: (permissions & admin) !== 0n,
    isBot: user?.bot === true,
  };
}

/** `member.permissions` as bits; anything that is not a decimal bit set grants nothing. */
function permissionBits(text: unknown): bigint {
  if (!isPermissionBits(text)) return 0n;
  return BigInt(text);
}

/** What every handler gets. */
export interface BaseContext {
  log: Logger;
  guildId: string | null;
  channelId: string | null;
  actor: Actor;
}

type LeafOption = Exclude<APIApplicationCommandInteractionDataOption, { type: ApplicationCommandOptionType.Subcommand | ApplicationCommandOptionType.SubcommandGroup }>;

/** Reads a slash command's options: the subcommand path, then leaf values by name. */
export class CommandOptions {
  readonly group: string | null = null;
  readonly subcommand: string | null = null;
  private readonly leaves = new Map<string, LeafOption>();

  constructor(private readonly interaction: APIChatInputApplicationCommandInteraction | APIApplicationCommandAutocompleteInteraction) {
    let options = interaction.data.options ?? [];
    const first = options[0];
    if (first?.type === ApplicationCommandOptionType.SubcommandGroup) {
      this.group = first.name;
      const sub = first.options[0];
      this.subcommand = sub?.name ?? null;
      options = sub?.options ?? [];
    } else if (first?.type === ApplicationCommandOptionType.Subcommand) {
      this.subcommand = first.name;
      options = first.options ?? [];
    }
    for (const option of options) this.leaves.set(option.name, option as LeafOption);
  }

  string(name: string): string | undefined {
    const o = this.leaves.get(name);
    return o && o.type === ApplicationCommandOptionType.String && typeof o.value === 'string' ? o.value : undefined;
  }

  integer(name: string): number | undefined {
    const o = this.leaves.get(name);
    if (!o || (o.type !== ApplicationCommandOptionType.Integer && o.type !== ApplicationCommandOptionType.Number)) return undefined;
    // Autocomplete sends the half-typed value as a string.
    if (typeof o.value !== 'number' && typeof o.value !== 'string') return undefined;
    const value = Number(o.value);
    return Number.isFinite(value) ? value : undefined;
  }

  boolean(name: string): boolean | undefined {
    const o = this.leaves.get(name);
    return o && o.type === ApplicationCommandOptionType.Boolean && typeof o.value === 'boolean' ? o.value : undefined;
  }

  /** A channel option with what Discord resolved about it. */
  channel(name: string): APIInteractionDataResolvedChannel | undefined {
    const o = this.leaves.get(name);
    if (!o || o.type !== ApplicationCommandOptionType.Channel || typeof o.value !== 'string') return undefined;
    return this.interaction.data.resolved && 'channels' in this.interaction.data.resolved ? this.interaction.data.resolved.channels?.[o.value] : undefined;
  }

  /** A user option: the id, plus the resolved user and member when Discord sent them. */
  user(name: string): { id: string; user?: APIUser; member?: { nick?: string | null; roles: string[] } } | undefined {
    const o = this.leaves.get(name);
    if (!o || o.type !== ApplicationCommandOptionType.User || typeof o.value !== 'string') return undefined;
    const resolved = this.interaction.data.resolved as { users?: Record<string, APIUser>; members?: Record<string, { nick?: string | null; roles: string[] }> } | undefined;
    return { id: o.value, user: resolved?.users?.[o.value], member: resolved?.members?.[o.value] };
  }

  role(name: string): { id: string; role?: APIRole } | undefined {
    const o = this.leaves.get(name);
    if (!o || o.type !== ApplicationCommandOptionType.Role || typeof o.value !== 'string') return undefined;
    const resolved = this.interaction.data.resolved as { roles?: Record<string, APIRole> } | undefined;
    return { id: o.value, role: resolved?.roles?.[o.value] };
  }

  /**
   * For autocomplete: the option the member is typing in. Only a scalar is turned into text
   * (`String()` of an array nested thousands deep overflows the stack).
   */
  focused(): { name: string; value: string } | undefined {
    for (const o of this.leaves.values()) {
      if (!('focused' in o && o.focused)) continue;
      const value: unknown = o.value;
      const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
      return { name: o.name, value: scalar ? String(value) : '' };
    }
    return undefined;
  }
}
