/**
 * Reactions over REST. Adding/removing the bot's own reaction shares one bucket per channel
 * (1 per 0.25 s), like Discord's reaction limit.
 * @see https://discord.com/developers/docs/resources/message#create-reaction
 * @see https://discord.com/developers/docs/resources/message#get-reactions
 */
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { missingPermissions, unknownMessage } from '../../errors.js';
import { parseReactionEmoji, type ReactionEmoji } from '../../emoji.js';
import { has } from '../../permissions.js';
import { addReaction, clearReactions, reactionUserIds, removeReaction } from '../../state/reactions.js';
import { userJson } from '../../state/serialize.js';
import type { MessageRecord, World } from '../../state/world.js';
import { botChannel, intParam } from '../access.js';
import { Buckets } from '../rate-limits.js';
import { json, noContent, type RouteContext, type RouteDef } from '../router.js';

const P = PermissionFlagsBits;

/** The message (visible to the bot) and the emoji of a reaction route. */
function target({ world, params }: RouteContext, ...required: bigint[]): { message: MessageRecord; emoji: ReactionEmoji } {
  const channel = botChannel(world, params.channel_id as string, P.ReadMessageHistory, ...required);
  const message = world.message(channel.id, params.message_id as string);
  if (message.ephemeralFor) throw unknownMessage();
  return { message, emoji: resolveEmoji(world, message, params.emoji as string) };
}

/**
 * Custom emojis must belong to a guild the bot is in. `asMember` accepts any `name:id` (members
 * with Nitro react with emojis from other servers).
 */
export function resolveEmoji(world: World, message: MessageRecord, raw: string, asMember = false): ReactionEmoji {
  return parseReactionEmoji(raw, (id, name, animated) => {
    for (const g of world.guilds.values()) {
      const e = g.emojis.get(id);
      if (e && g.members.has(world.botUserId)) return e;
    }
    // Members may react with emojis from elsewhere; the bot can then still list or remove those.
    const existing = message.reactions.find((r) => r.emoji.id === id)?.emoji;
    if (existing) return { id, name: existing.name, animated: existing.animated ?? false };
    return asMember ? { id, name, animated } : undefined;
  });
}

export const reactionRoutes: RouteDef[] = [
  {
    method: 'PUT',
    path: '/channels/:channel_id/messages/:message_id/reactions/:emoji/@me',
    bucket: Buckets.reactions,
    handler: (ctx) => {
      const { message, emoji } = target(ctx);
      addReaction(ctx.world, message, ctx.world.botUserId, emoji);
      return noContent();
    },
  },
  {
    method: 'DELETE',
    path: '/channels/:channel_id/messages/:message_id/reactions/:emoji/@me',
    bucket: Buckets.reactions,
    handler: (ctx) => {
      const { message, emoji } = target(ctx);
      removeReaction(ctx.world, message, ctx.world.botUserId, emoji);
      return noContent();
    },
  },
  {
    method: 'DELETE',
    path: '/channels/:channel_id/messages/:message_id/reactions/:emoji/:user_id',
    bucket: Buckets.reactions,
    handler: (ctx) => {
      const userId = ctx.params.user_id as string;
      const { message, emoji } = target(ctx);
      if (userId !== ctx.world.botUserId && !has(ctx.world.permissionsIn(message.channelId, ctx.world.botUserId), P.ManageMessages)) {
        throw missingPermissions();
      }
      removeReaction(ctx.world, message, userId, emoji);
      return noContent();
    },
  },
  {
    method: 'GET',
    path: '/channels/:channel_id/messages/:message_id/reactions/:emoji',
    handler: (ctx) => {
      const { message, emoji } = target(ctx);
      const limit = intParam(ctx.query, 'limit', 25, 1, 100);
      const after = ctx.query.get('after');
      const type = ctx.query.get('type');
      // Burst (super) reactions are not emulated: type=1 lists nobody.
      if (type === '1') return json([]);
      return json(reactionUserIds(message, emoji, after, limit).map((id) => userJson(ctx.world, id)));
    },
  },
  {
    method: 'DELETE',
    path: '/channels/:channel_id/messages/:message_id/reactions/:emoji',
    handler: (ctx) => {
      const { message, emoji } = target(ctx, P.ManageMessages);
      clearReactions(ctx.world, message, emoji);
      return noContent();
    },
  },
  {
    method: 'DELETE',
    path: '/channels/:channel_id/messages/:message_id/reactions',
    handler: ({ world, params }) => {
      const channel = botChannel(world, params.channel_id as string, P.ManageMessages);
      const message = world.message(channel.id, params.message_id as string);
      if (message.ephemeralFor) throw unknownMessage();
      clearReactions(world, message);
      return noContent();
    },
  },
];
