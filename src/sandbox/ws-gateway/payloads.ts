/**
 * READY and GUILD_CREATE as Discord sends them to a bot. Without the GUILD_MEMBERS intent the
 * GUILD_CREATE `members` list holds only the bot and the members in voice.
 * @see https://discord.com/developers/docs/events/gateway-events#ready
 * @see https://discord.com/developers/docs/events/gateway-events#guild-create
 */
import { GatewayIntentBits } from 'discord-api-types/v10';
import { channelJson, guildJson, memberJson, userJson, voiceStateJson } from '../state/serialize.js';
import type { World } from '../state/world.js';

/** Guilds with more members than this are "large" (Discord's default large_threshold is 50). */
const LARGE_THRESHOLD = 50;

export function buildReady(world: World, o: { sessionId: string; resumeUrl: string; shard: [number, number]; guildIds: string[]; applicationFlags: number }): Record<string, unknown> {
  return {
    v: 10,
    user_settings: {},
    user: { ...userJson(world, world.botUserId), verified: true, mfa_enabled: false, email: null },
    guilds: o.guildIds.map((id) => ({ id, unavailable: true })),
    guild_join_requests: [],
    relationships: [],
    private_channels: [],
    presences: [],
    session_id: o.sessionId,
    session_type: 'normal',
    resume_gateway_url: o.resumeUrl,
    shard: o.shard,
    application: { id: world.application.id, flags: o.applicationFlags },
    auth: {},
    geo_ordered_rtc_regions: ['local'],
    _trace: ['["rollcall-emulator",{"micros":0}]'],
  };
}

export function buildGuildCreate(world: World, guildId: string, intents: number): Record<string, unknown> {
  const guild = world.guild(guildId);
  const large = guild.members.size > LARGE_THRESHOLD;
  const everyone = (intents & GatewayIntentBits.GuildMembers) !== 0 && !large;
  const memberIds = everyone ? [...guild.members.keys()] : [...new Set([world.botUserId, ...guild.voice.keys()])];
  const bot = world.member(guildId, world.botUserId);
  return {
    ...guildJson(world, guild),
    joined_at: bot.joinedAt,
    large,
    unavailable: false,
    lazy: true,
    member_count: guild.members.size,
    voice_states: [...guild.voice.values()].map((v) => voiceStateJson(world, guildId, v, { withGuild: false, withMember: false })),
    members: memberIds.filter((id) => guild.members.has(id)).map((id) => memberJson(world, guildId, id)),
    channels: guild.channelIds.map((id) => {
      const { guild_id: _omit, ...rest } = channelJson(world, world.channel(id)) as unknown as Record<string, unknown>;
      return rest;
    }),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    embedded_activities: [],
    activity_instances: [],
    application_command_counts: {},
    hub_type: null,
  };
}
