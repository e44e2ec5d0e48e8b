/**
 * Reactions and their dispatches. MESSAGE_REACTION_ADD carries `member` and `message_author_id` in
 * guilds; MESSAGE_REACTION_REMOVE carries neither — the asymmetry Discord has.
 * @see https://discord.com/developers/docs/topics/gateway-events#message-reaction-add
 * @see https://discord.com/developers/docs/topics/gateway-events#message-reaction-remove
 */
import { GatewayIntentBits, PermissionFlagsBits } from 'discord-api-types/v10';
import { DiscordError, missingAccess, missingPermissions } from '../errors.js';
import { emojiKey, type ReactionEmoji } from '../emoji.js';
import { has } from '../permissions.js';
import { compareSnowflakes } from '../snowflake.js';
import { memberJson } from './serialize.js';
import type { MessageRecord, World } from './world.js';

const MAX_UNIQUE_REACTIONS = 20;

function intentFor(message: MessageRecord): number {
  return message.guildId ? GatewayIntentBits.GuildMessageReactions : GatewayIntentBits.DirectMessageReactions;
}

function emojiJson(emoji: ReactionEmoji): ReactionEmoji {
  return emoji.animated ? { id: emoji.id, name: emoji.name, animated: true } : { id: emoji.id, name: emoji.name };
}

/**
 * `userId` reacts with `emoji`. Returns false (and dispatches nothing) when they already had.
 * Needs View Channel + Read Message History, and Add Reactions for a new emoji on the message.
 */
export function addReaction(world: World, message: MessageRecord, userId: string, emoji: ReactionEmoji): boolean {
  const permissions = world.permissionsIn(message.channelId, userId);
  if (!has(permissions, PermissionFlagsBits.ViewChannel)) throw missingAccess();
  if (!has(permissions, PermissionFlagsBits.ReadMessageHistory)) throw missingPermissions();
  const key = emojiKey(emoji);
  let reaction = message.reactions.find((r) => emojiKey(r.emoji) === key);
  if (reaction?.userIds.includes(userId)) return false;
  if (!reaction || reaction.userIds.length === 0) {
    if (!has(permissions, PermissionFlagsBits.AddReactions)) throw missingPermissions();
    if (message.reactions.filter((r) => r.userIds.length > 0).length >= MAX_UNIQUE_REACTIONS) {
      throw new DiscordError(400, 30010, 'Maximum number of reactions reached (20)');
    }
  }
  if (!reaction) {
    reaction = { emoji, userIds: [] };
    message.reactions.push(reaction);
  }
  reaction.userIds.push(userId);
  const d: Record<string, unknown> = {
    user_id: userId,
    type: 0,
    message_id: message.id,
    message_author_id: message.authorId,
    emoji: emojiJson(emoji),
    channel_id: message.channelId,
    burst: false,
    burst_colors: [],
  };
  if (message.guildId) {
    d.guild_id = message.guildId;
    d.member = memberJson(world, message.guildId, userId);
  }
  world.dispatch({ t: 'MESSAGE_REACTION_ADD', d, guildId: message.guildId, intent: intentFor(message) });
  return true;
}

/** Removes `userId`'s reaction. Returns false (no dispatch) when there was none. */
export function removeReaction(world: World, message: MessageRecord, userId: string, emoji: ReactionEmoji): boolean {
  const key = emojiKey(emoji);
  const reaction = message.reactions.find((r) => emojiKey(r.emoji) === key);
  const index = reaction ? reaction.userIds.indexOf(userId) : -1;
  if (!reaction || index < 0) return false;
  reaction.userIds.splice(index, 1);
  if (reaction.userIds.length === 0) message.reactions.splice(message.reactions.indexOf(reaction), 1);
  const d: Record<string, unknown> = {
    user_id: userId,
    type: 0,
    message_id: message.id,
    emoji: emojiJson(reaction.emoji),
    channel_id: message.channelId,
    burst: false,
  };
  if (message.guildId) d.guild_id = message.guildId;
  world.dispatch({ t: 'MESSAGE_REACTION_REMOVE', d, guildId: message.guildId, intent: intentFor(message) });
  return true;
}

/** Removes every reaction (or every reaction of one emoji) — MESSAGE_REACTION_REMOVE_ALL / _EMOJI. */
export function clearReactions(world: World, message: MessageRecord, emoji?: ReactionEmoji): void {
  const base: Record<string, unknown> = { channel_id: message.channelId, message_id: message.id };
  if (message.guildId) base.guild_id = message.guildId;
  if (!emoji) {
    message.reactions = [];
    world.dispatch({ t: 'MESSAGE_REACTION_REMOVE_ALL', d: base, guildId: message.guildId, intent: intentFor(message) });
    return;
  }
  const key = emojiKey(emoji);
  const before = message.reactions.length;
  message.reactions = message.reactions.filter((r) => emojiKey(r.emoji) !== key);
  if (message.reactions.length === before) return;
  world.dispatch({ t: 'MESSAGE_REACTION_REMOVE_EMOJI', d: { ...base, emoji: emojiJson(emoji) }, guildId: message.guildId, intent: intentFor(message) });
}

/** The users who reacted with `emoji`, sorted by id, after `after`, at most `limit`. */
export function reactionUserIds(message: MessageRecord, emoji: ReactionEmoji, after: string | null, limit: number): string[] {
  const key = emojiKey(emoji);
  const reaction = message.reactions.find((r) => emojiKey(r.emoji) === key);
  if (!reaction) return [];
  const sorted = [...reaction.userIds].sort(compareSnowflakes);
  const from = after ? sorted.filter((id) => compareSnowflakes(id, after) > 0) : sorted;
  return from.slice(0, limit);
}
