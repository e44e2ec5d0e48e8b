import type { RawFile } from '@discordjs/rest';
import type { APIGuildMember, APIMessage } from 'discord-api-types/v10';

/**
 * The plain shapes the REST façade (`DiscordApi` in `rest.ts`) answers and takes, and the
 * conversions from Discord's objects: what services see instead of discord-api-types.
 */

export interface FileAttachment {
  name: string;
  data: Buffer;
  contentType?: string;
}

/** One emoji's reactions on a message. */
export interface MessageReaction {
  /** As reaction routes take it: the unicode emoji, or `name:id` for a custom one. */
  emoji: string;
  custom: boolean;
  count: number;
  /** The bot reacted with it. */
  me: boolean;
}

/** A guild member as rollcall keeps it: plain values, read from Discord's member object. */
export interface FetchedMember {
  userId: string;
  /** nick ?? global_name ?? username — what the member is called in this server. */
  displayName: string;
  roles: string[];
  /** The guild avatar hash, else the user's. */
  avatar: string | null;
  bot: boolean;
}

/** @see https://discord.com/developers/docs/resources/guild#guild-member-object */
export function toFetchedMember(m: Pick<APIGuildMember, 'nick' | 'roles' | 'avatar'> & { user: APIGuildMember['user'] }): FetchedMember {
  return {
    userId: m.user.id,
    displayName: m.nick ?? m.user.global_name ?? m.user.username,
    roles: [...m.roles],
    avatar: m.avatar ?? m.user.avatar ?? null,
    bot: m.user.bot === true,
  };
}

export function toRawFiles(files: readonly FileAttachment[] | undefined): RawFile[] | undefined {
  return files?.map((f) => ({ name: f.name, data: f.data, contentType: f.contentType }));
}

/** A message as services see it. */
export interface ChannelMessage {
  id: string;
  authorId: string;
  content: string;
}

/**
 * A message rollcall posts: pinging nobody (`allowed_mentions: { parse: [] }`) unless `mentions`
 * names exactly who may be pinged.
 */
export interface NewMessage {
  content: string;
  /** The only users and roles the message may ping (`allowed_mentions.users` / `.roles`). */
  mentions?: { users: readonly string[]; roles: readonly string[] };
  /** With `enforceNonce`, Discord returns the first message created with this nonce instead of a second one. */
  nonce?: string;
  enforceNonce?: boolean;
  /** Grey buttons in one row under the text; their `customId` comes back as a component interaction. */
  buttons?: readonly MessageButton[];
}

/** @see https://discord.com/developers/docs/components/reference#button */
export interface MessageButton {
  customId: string;
  label: string;
  emoji?: string;
}

/** What an edit of one of rollcall's messages changes. */
export interface MessageEdit {
  content: string;
}

/** Someone who reacted. */
export interface ReactionUser {
  id: string;
  bot: boolean;
}

/** A custom emoji of a guild. @see https://discord.com/developers/docs/resources/emoji#emoji-object */
export interface GuildEmoji {
  id: string;
  name: string | null;
  animated: boolean;
  /** False when the server lost the boost level that unlocked it. */
  available: boolean;
  /** Roles allowed to use it; empty = everyone. */
  roles: string[];
}

/** A role as rollcall needs it. */
export interface RoleInfo {
  id: string;
  name: string;
  position: number;
}

export const toMessage = (m: APIMessage): ChannelMessage => ({ id: m.id, authorId: m.author.id, content: m.content });
