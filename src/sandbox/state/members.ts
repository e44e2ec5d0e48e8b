/**
 * Members joining, changing and leaving. Their dispatches need the privileged GUILD_MEMBERS intent,
 * which rollcall does not use — so the bot only learns of changes through later payloads.
 * @see https://discord.com/developers/docs/events/gateway-events#guild-member-update
 * @see https://discord.com/developers/docs/events/gateway-events#guild-member-remove
 */
import { GatewayIntentBits } from 'discord-api-types/v10';
import { DiscordError, unknownRole } from '../errors.js';
import { memberJson, userJson } from './serialize.js';
import { setVoiceState } from './voice.js';
import type { World } from './world.js';

export interface NewMember {
  id?: string;
  username: string;
  globalName?: string | null;
  nick?: string | null;
  /** Role ids (not @everyone). */
  roles?: string[];
  bot?: boolean;
  dmsClosed?: boolean;
  locale?: string;
}

function checkRoles(world: World, guildId: string, roles: string[]): void {
  const guild = world.guild(guildId);
  for (const id of roles) if (!guild.roles.has(id) || id === guildId) throw unknownRole();
}

/** A user joins the guild (GUILD_MEMBER_ADD). Returns their id. */
export function addMember(world: World, guildId: string, m: NewMember): string {
  const guild = world.guild(guildId);
  const id = m.id ?? world.ids.next();
  if (guild.members.has(id)) throw new DiscordError(400, 0, `user ${id} is already a member`);
  checkRoles(world, guildId, m.roles ?? []);
  if (!world.users.has(id)) {
    world.users.set(id, { id, username: m.username, globalName: m.globalName ?? null, bot: m.bot ?? false, dmsClosed: m.dmsClosed ?? false, locale: m.locale ?? 'en-US' });
  }
  guild.members.set(id, { userId: id, nick: m.nick ?? null, roles: [...(m.roles ?? [])], joinedAt: new Date().toISOString() });
  world.dispatch({ t: 'GUILD_MEMBER_ADD', d: { ...memberJson(world, guildId, id), guild_id: guildId }, guildId, intent: GatewayIntentBits.GuildMembers });
  return id;
}

/** Changes a member's nickname and/or roles (GUILD_MEMBER_UPDATE). */
export function updateMember(world: World, guildId: string, userId: string, change: { nick?: string | null; roles?: string[] }): void {
  const member = world.member(guildId, userId);
  if (change.roles) {
    checkRoles(world, guildId, change.roles);
    member.roles = [...change.roles];
  }
  if (change.nick !== undefined) member.nick = change.nick;
  world.dispatch({ t: 'GUILD_MEMBER_UPDATE', d: { ...memberJson(world, guildId, userId), guild_id: guildId }, guildId, intent: GatewayIntentBits.GuildMembers });
}

/** A member leaves (or is kicked): out of voice first, then GUILD_MEMBER_REMOVE. */
export function removeMember(world: World, guildId: string, userId: string): void {
  const guild = world.guild(guildId);
  world.member(guildId, userId);
  if (guild.voice.has(userId)) setVoiceState(world, guildId, userId, { channelId: null });
  guild.members.delete(userId);
  world.dispatch({ t: 'GUILD_MEMBER_REMOVE', d: { guild_id: guildId, user: userJson(world, userId) }, guildId, intent: GatewayIntentBits.GuildMembers });
}
