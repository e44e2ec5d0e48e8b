import { randomBytes } from 'node:crypto';
import type { GatewaySession } from './session.js';
import { setVoiceState } from '../state/voice.js';
import type { World } from '../state/world.js';

/** An op 4 the bot sent, as received. */
export interface VoiceOp {
  at: number;
  sessionId: string;
  guild_id: string;
  channel_id: string | null;
  self_mute: boolean;
  self_deaf: boolean;
}

/** Where VOICE_SERVER_UPDATE sends the bot, and how the voice server learns the token it issued. */
export interface VoiceEndpoint {
  readonly endpoint: string;
  grant(grant: { token: string; guildId: string; channelId: string; userId: string; sessionId: string }): void;
}

/**
 * An op 4 (Update Voice State) from the bot: recorded, applied to the bot's voice state, and, when it
 * joins or moves, answered with VOICE_SERVER_UPDATE pointing at the emulator's voice endpoint.
 * @see https://discord.com/developers/docs/events/gateway-events#update-voice-state
 */
export function applyVoiceOp(world: World, session: GatewaySession, d: any, voice: VoiceEndpoint): VoiceOp {
  const op: VoiceOp = {
    at: Date.now(),
    sessionId: session.id,
    guild_id: String(d?.guild_id),
    channel_id: d?.channel_id ?? null,
    self_mute: Boolean(d?.self_mute),
    self_deaf: Boolean(d?.self_deaf),
  };
  const guild = world.guilds.get(op.guild_id);
  if (!guild || !guild.members.has(world.botUserId) || !session.coversGuild(guild.id)) return op;
  const before = guild.voice.get(world.botUserId)?.channelId ?? null;
  try {
    setVoiceState(world, guild.id, world.botUserId, { channelId: op.channel_id, selfMute: op.self_mute, selfDeaf: op.self_deaf, sessionId: session.id });
  } catch {
    // Discord silently ignores a join it refuses (no permission, not a voice channel).
    return op;
  }
  if (op.channel_id !== null && op.channel_id !== before) {
    const token = randomBytes(8).toString('hex');
    voice.grant({ token, guildId: guild.id, channelId: op.channel_id, userId: world.botUserId, sessionId: session.id });
    world.dispatch({
      t: 'VOICE_SERVER_UPDATE',
      d: { token, guild_id: guild.id, endpoint: voice.endpoint },
      guildId: guild.id,
      sessionId: session.id,
    });
  }
  return op;
}
