/**
 * Voice states: joining, moving, leaving, self mute/deafen — each dispatches VOICE_STATE_UPDATE
 * (intent GUILD_VOICE_STATES) with the member, as Discord does.
 * @see https://discord.com/developers/docs/resources/voice#voice-state-object
 * @see https://discord.com/developers/docs/topics/gateway-events#voice-state-update
 */
import { ChannelType, GatewayIntentBits, PermissionFlagsBits } from 'discord-api-types/v10';
import { DiscordError, missingPermissions } from '../errors.js';
import { has } from '../permissions.js';
import { voiceStateJson } from './serialize.js';
import { voiceSessionId } from './seed.js';
import type { VoiceStateRecord, World } from './world.js';

export interface VoiceChange {
  /** Target channel; null leaves voice; undefined keeps the current channel (flag change only). */
  channelId?: string | null;
  selfMute?: boolean;
  selfDeaf?: boolean;
  /** The voice session id (the bot's gateway session); members get a stable one. */
  sessionId?: string;
}

/** Applies a voice change for a member; returns the new state (null when not in voice). */
export function setVoiceState(world: World, guildId: string, userId: string, change: VoiceChange): VoiceStateRecord | null {
  const guild = world.guild(guildId);
  world.member(guildId, userId);
  const current = guild.voice.get(userId) ?? null;
  const channelId = change.channelId === undefined ? (current?.channelId ?? null) : change.channelId;
  // Ground truth: a join opens a stay, a move closes it and opens the next, a leave closes it.
  if (channelId !== (current?.channelId ?? null)) {
    const now = world.now();
    const open = world.voiceStays.findLast((s) => s.guildId === guildId && s.userId === userId && s.to === null);
    if (open) open.to = now;
    if (channelId !== null) world.voiceStays.push({ guildId, userId, channelId, from: now, to: null });
  }
  if (channelId === null) {
    if (!current) return null;
    guild.voice.delete(userId);
    const left: VoiceStateRecord = { ...current, channelId: '' };
    world.dispatch({
      t: 'VOICE_STATE_UPDATE',
      d: { ...voiceStateJson(world, guildId, left, { withGuild: true, withMember: true }), channel_id: null },
      guildId,
      intent: GatewayIntentBits.GuildVoiceStates,
    });
    return null;
  }
  const channel = world.channel(channelId);
  if (channel.guildId !== guildId || (channel.type !== ChannelType.GuildVoice && channel.type !== ChannelType.GuildStageVoice)) {
    throw new DiscordError(400, 50024, 'Cannot execute action on this channel type');
  }
  if (channelId !== current?.channelId && !has(world.permissionsIn(channelId, userId), PermissionFlagsBits.Connect)) {
    throw missingPermissions();
  }
  const next: VoiceStateRecord = {
    userId,
    channelId,
    sessionId: change.sessionId ?? current?.sessionId ?? voiceSessionId(userId),
    selfMute: change.selfMute ?? current?.selfMute ?? false,
    selfDeaf: change.selfDeaf ?? current?.selfDeaf ?? false,
    selfVideo: current?.selfVideo ?? false,
    mute: current?.mute ?? false,
    deaf: current?.deaf ?? false,
  };
  guild.voice.set(userId, next);
  world.dispatch({
    t: 'VOICE_STATE_UPDATE',
    d: voiceStateJson(world, guildId, next, { withGuild: true, withMember: true }),
    guildId,
    intent: GatewayIntentBits.GuildVoiceStates,
  });
  return next;
}
