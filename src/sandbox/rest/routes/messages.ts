/**
 * Channels and their messages.
 * @see https://discord.com/developers/docs/resources/channel#get-channel
 * @see https://discord.com/developers/docs/resources/message#get-channel-messages
 * @see https://discord.com/developers/docs/resources/message#create-message
 * @see https://discord.com/developers/docs/resources/message#edit-message
 * @see https://discord.com/developers/docs/resources/message#delete-message
 */
import { ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import { DiscordError, cannotEditOthersMessage, cannotSendToUser, missingPermissions, unknownMessage } from '../../errors.js';
import { has } from '../../permissions.js';
import { compareSnowflakes, isSnowflake } from '../../snowflake.js';
import { createMessage, deleteMessage, editMessage } from '../../state/messages.js';
import { channelJson, messageJson } from '../../state/serialize.js';
import type { MessageInput } from '../../state/validate.js';
import type { MessageRecord, World } from '../../state/world.js';
import { botChannel, intParam } from '../access.js';
import { Buckets } from '../rate-limits.js';
import { json, noContent, type RouteDef } from '../router.js';

const P = PermissionFlagsBits;

/** A message the bot can see over REST (ephemeral ones never are). */
function visibleMessage(world: World, channelId: string, messageId: string): MessageRecord {
  const message = world.message(channelId, messageId);
  if (message.ephemeralFor) throw unknownMessage();
  return message;
}

function asInput(body: unknown): MessageInput {
  return (body && typeof body === 'object' ? body : {}) as MessageInput;
}

/** Newest first, like Discord; `after` returns the oldest ones after the id (still newest first). */
function listMessages(world: World, channelId: string, query: URLSearchParams): MessageRecord[] {
  const limit = intParam(query, 'limit', 50, 1, 100);
  const all = world.messagesOf(channelId).filter((m) => !m.ephemeralFor);
  const before = query.get('before');
  const after = query.get('after');
  const around = query.get('around');
  let picked: MessageRecord[];
  if (around && isSnowflake(around)) {
    const older = all.filter((m) => compareSnowflakes(m.id, around) < 0).slice(-Math.floor(limit / 2));
    const newer = all.filter((m) => compareSnowflakes(m.id, around) >= 0).slice(0, limit - older.length);
    picked = [...older, ...newer];
  } else if (after && isSnowflake(after)) {
    picked = all.filter((m) => compareSnowflakes(m.id, after) > 0).slice(0, limit);
  } else {
    const upTo = before && isSnowflake(before) ? all.filter((m) => compareSnowflakes(m.id, before) < 0) : all;
    picked = upTo.slice(-limit);
  }
  return picked.reverse();
}

export const messageRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/channels/:channel_id',
    handler: ({ world, params }) => {
      const channel = world.channel(params.channel_id as string);
      if (channel.guildId) botChannel(world, channel.id);
      return json(channelJson(world, channel));
    },
  },
  {
    method: 'GET',
    path: '/channels/:channel_id/messages',
    handler: ({ world, params, query }) => {
      const channel = botChannel(world, params.channel_id as string);
      if (!has(world.permissionsIn(channel.id, world.botUserId), P.ReadMessageHistory)) return json([]);
      return json(listMessages(world, channel.id, query).map((m) => messageJson(world, m, world.botUserId)));
    },
  },
  {
    method: 'GET',
    path: '/channels/:channel_id/messages/:message_id',
    handler: ({ world, params }) => {
      const channel = botChannel(world, params.channel_id as string, P.ReadMessageHistory);
      return json(messageJson(world, visibleMessage(world, channel.id, params.message_id as string), world.botUserId));
    },
  },
  {
    method: 'POST',
    path: '/channels/:channel_id/messages',
    bucket: Buckets.messageCreate,
    handler: ({ world, params, body, files }) => {
      const channel = botChannel(world, params.channel_id as string, P.SendMessages);
      if (channel.type === ChannelType.GuildCategory) throw new DiscordError(400, 50008, 'Cannot send messages in a non-text channel');
      if (files.length > 0 && !has(world.permissionsIn(channel.id, world.botUserId), P.AttachFiles)) throw missingPermissions();
      if (channel.type === ChannelType.DM) {
        const recipient = world.user(channel.recipientId as string);
        if (recipient.dmsClosed || recipient.bot) throw cannotSendToUser();
      }
      const { message } = createMessage(world, { channelId: channel.id, authorId: world.botUserId, input: asInput(body), files });
      return json(messageJson(world, message, world.botUserId, { withNonce: true }));
    },
  },
  {
    method: 'PATCH',
    path: '/channels/:channel_id/messages/:message_id',
    bucket: Buckets.messageEdit,
    handler: ({ world, params, body, files }) => {
      const channel = botChannel(world, params.channel_id as string);
      const message = visibleMessage(world, channel.id, params.message_id as string);
      if (message.authorId !== world.botUserId) throw cannotEditOthersMessage();
      editMessage(world, message, asInput(body), files);
      return json(messageJson(world, message, world.botUserId));
    },
  },
  {
    method: 'DELETE',
    path: '/channels/:channel_id/messages/:message_id',
    bucket: Buckets.messageDelete,
    handler: ({ world, params }) => {
      const channel = botChannel(world, params.channel_id as string);
      const message = visibleMessage(world, channel.id, params.message_id as string);
      if (message.authorId !== world.botUserId && !has(world.permissionsIn(channel.id, world.botUserId), P.ManageMessages)) {
        throw missingPermissions();
      }
      deleteMessage(world, message);
      return noContent();
    },
  },
];
