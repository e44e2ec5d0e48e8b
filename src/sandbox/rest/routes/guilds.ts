/**
 * Guild reads. Listing members needs the GUILD_MEMBERS privileged intent to be enabled for the
 * application (50001 otherwise), as on Discord.
 * @see https://discord.com/developers/docs/resources/guild#get-guild
 * @see https://discord.com/developers/docs/resources/guild#list-guild-members
 * @see https://discord.com/developers/docs/resources/voice#get-user-voice-state
 */
import { GatewayIntentBits } from 'discord-api-types/v10';
import { DiscordError, missingAccess } from '../../errors.js';
import { compareSnowflakes } from '../../snowflake.js';
import { channelJson, emojiJson, guildJson, memberJson, roleJson, voiceStateJson } from '../../state/serialize.js';
import { botGuild, intParam } from '../access.js';
import { json, type RouteDef } from '../router.js';

const unknownVoiceState = () => new DiscordError(404, 10065, 'Unknown Voice State');
const unknownEmoji = () => new DiscordError(404, 10014, 'Unknown Emoji');

export const guildRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/guilds/:guild_id',
    handler: ({ world, params, query }) => json(guildJson(world, botGuild(world, params.guild_id as string), query.get('with_counts') === 'true')),
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/channels',
    handler: ({ world, params }) => {
      const guild = botGuild(world, params.guild_id as string);
      return json(guild.channelIds.map((id) => channelJson(world, world.channel(id))));
    },
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/roles',
    handler: ({ world, params }) => json([...botGuild(world, params.guild_id as string).roles.values()].map(roleJson)),
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/emojis',
    handler: ({ world, params }) => json([...botGuild(world, params.guild_id as string).emojis.values()].map(emojiJson)),
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/emojis/:emoji_id',
    handler: ({ world, params }) => {
      const emoji = botGuild(world, params.guild_id as string).emojis.get(params.emoji_id as string);
      if (!emoji) throw unknownEmoji();
      return json(emojiJson(emoji));
    },
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/members/:user_id',
    handler: ({ world, params }) => {
      const guild = botGuild(world, params.guild_id as string);
      return json(memberJson(world, guild.id, params.user_id as string));
    },
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/members',
    handler: ({ world, params, query, deps }) => {
      const guild = botGuild(world, params.guild_id as string);
      if (!(deps.privilegedIntents() & GatewayIntentBits.GuildMembers)) throw missingAccess();
      const limit = intParam(query, 'limit', 1, 1, 1000);
      const after = query.get('after') ?? '0';
      const ids = [...guild.members.keys()]
        .filter((id) => compareSnowflakes(id, after) > 0)
        .sort(compareSnowflakes)
        .slice(0, limit);
      return json(ids.map((id) => memberJson(world, guild.id, id)));
    },
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/members/search',
    handler: ({ world, params, query }) => {
      const guild = botGuild(world, params.guild_id as string);
      const q = (query.get('query') ?? '').toLowerCase();
      const limit = intParam(query, 'limit', 1, 1, 1000);
      const ids = [...guild.members.values()]
        .filter((m) => {
          const u = world.user(m.userId);
          return [u.username, u.globalName, m.nick].some((name) => name?.toLowerCase().startsWith(q));
        })
        .map((m) => m.userId)
        .slice(0, limit);
      return json(ids.map((id) => memberJson(world, guild.id, id)));
    },
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/voice-states/@me',
    handler: ({ world, params }) => {
      const guild = botGuild(world, params.guild_id as string);
      const state = guild.voice.get(world.botUserId);
      if (!state) throw unknownVoiceState();
      return json(voiceStateJson(world, guild.id, state, { withGuild: true, withMember: true }));
    },
  },
  {
    method: 'GET',
    path: '/guilds/:guild_id/voice-states/:user_id',
    handler: ({ world, params }) => {
      const guild = botGuild(world, params.guild_id as string);
      world.member(guild.id, params.user_id as string);
      const state = guild.voice.get(params.user_id as string);
      if (!state) throw unknownVoiceState();
      return json(voiceStateJson(world, guild.id, state, { withGuild: true, withMember: true }));
    },
  },
];
