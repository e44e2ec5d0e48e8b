import type { DiscordGatewayAdapterCreator, DiscordGatewayAdapterLibraryMethods } from '@discordjs/voice';
import { GatewayOpcodes, type GatewayDispatchPayload, type GatewayVoiceStateUpdate } from 'discord-api-types/v10';
import type { Logger } from '../shared/logger.js';

export interface VoiceBridgeOptions {
  /** Sends a payload on the guild's gateway shard (`WebSocketManager#send(shardId, …)`). */
  send: (payload: GatewayVoiceStateUpdate) => PromiseLike<void> | void;
  /** Whether the guild's shard can send now (ready or resumed). */
  connected: (guildId: string) => boolean;
  log: Logger;
}

/**
 * The @discordjs/voice adapter over rollcall's own @discordjs/ws shard, so voice needs no discord.js
 * client: op 4 (Update Voice State) goes out through the shard, and the bot's own
 * VOICE_STATE_UPDATE and every VOICE_SERVER_UPDATE come back to the voice connection of that guild.
 *
 * A socket close is not the end of the session: @discordjs/ws resumes, Discord replays what was
 * missed, and a voice connection (its own socket to the voice server) lives on. So adapters are kept
 * across a close. A leave that cannot go out while the shard is down is remembered and sent at
 * RESUMED; a new session (READY) instead destroys the connections built on the old one and sends a
 * leave for each of their guilds, so Discord never keeps showing the bot in a channel.
 * @see https://discord.com/developers/docs/events/gateway-events#update-voice-state
 * @see https://discord.com/developers/docs/events/gateway#resuming
 * @see https://discord.com/developers/docs/topics/voice-connections#retrieving-voice-server-information
 */
export class VoiceGatewayBridge {
  private botUserId: string | undefined;
  private readonly adapters = new Map<string, DiscordGatewayAdapterLibraryMethods>();
  /** Guilds whose leave could not be sent (the shard was down): sent at the next RESUMED or READY. */
  private readonly pendingLeaves = new Set<string>();

  constructor(private readonly options: VoiceBridgeOptions) {}

  /**
   * The adapter for one guild, as `joinVoiceChannel({ adapterCreator })` wants it. `mayJoin` false
   * swallows joins (a leave always goes out): @discordjs/voice rejoins by itself after a failed
   * connection, which a caller that has given up does not want.
   */
  adapterCreator(guildId: string, options: { mayJoin?: () => boolean } = {}): DiscordGatewayAdapterCreator {
    return (methods) => {
      this.adapters.set(guildId, methods);
      return {
        sendPayload: (payload: GatewayVoiceStateUpdate) => {
          if (payload.d.channel_id !== null && options.mayJoin?.() === false) return true;
          if (payload.d.channel_id === null) return this.sendLeave(guildId, payload);
          return this.sendNow(payload);
        },
        destroy: () => {
          if (this.adapters.get(guildId) === methods) this.adapters.delete(guildId);
        },
      };
    };
  }

  /** Every dispatch of the shard, in order: READY names the bot; voice events for it go to its adapter. */
  onDispatch(payload: GatewayDispatchPayload): void {
    switch (payload.t) {
      case 'READY':
        this.botUserId = payload.d.user.id;
        return;
      case 'VOICE_STATE_UPDATE':
        if (payload.d.guild_id && payload.d.user_id === this.botUserId) this.adapters.get(payload.d.guild_id)?.onVoiceStateUpdate(payload.d);
        return;
      case 'VOICE_SERVER_UPDATE':
        this.adapters.get(payload.d.guild_id)?.onVoiceServerUpdate(payload.d);
        return;
      default:
        return;
    }
  }

  /** RESUMED: the same session as before the close, so adapters carry on; leaves that waited go out now. */
  onResumed(): void {
    this.flushLeaves();
  }

  /**
   * READY: a new session. Voice connections signalled through the old one are destroyed (their
   * voice session is gone), and the bot leaves each of their guilds in case Discord still shows it
   * there; so do the leaves that could not go out while the shard was down.
   */
  onNewSession(onShard: (guildId: string) => boolean = () => true): void {
    for (const [guildId, methods] of [...this.adapters]) {
      if (!onShard(guildId)) continue;
      this.pendingLeaves.add(guildId);
      this.adapters.delete(guildId);
      methods.destroy();
    }
    this.flushLeaves();
  }

  /**
   * Leaves voice in a guild (op 4 with no channel); what a connection's destroy sends, and the last
   * resort without one. While the shard is down the leave is remembered and sent once it is back;
   * returns whether it went out now.
   */
  leave(guildId: string): boolean {
    return this.sendLeave(guildId, { op: GatewayOpcodes.VoiceStateUpdate, d: { guild_id: guildId, channel_id: null, self_mute: false, self_deaf: false } });
  }

  private sendLeave(guildId: string, payload: GatewayVoiceStateUpdate): boolean {
    const sent = this.sendNow(payload);
    if (sent) this.pendingLeaves.delete(guildId);
    else this.pendingLeaves.add(guildId);
    return sent;
  }

  /** Guilds with a leave waiting for the shard (tests). */
  get waitingLeaves(): string[] {
    return [...this.pendingLeaves];
  }

  /** Whether an adapter is waiting for events in this guild (tests). */
  has(guildId: string): boolean {
    return this.adapters.has(guildId);
  }

  private flushLeaves(): void {
    for (const guildId of [...this.pendingLeaves]) {
      // A connection in this guild now (a greeting begun after the close) is in charge of leaving.
      if (this.adapters.has(guildId)) this.pendingLeaves.delete(guildId);
      else this.leave(guildId);
    }
  }

  private sendNow(payload: GatewayVoiceStateUpdate): boolean {
    if (!this.options.connected(payload.d.guild_id)) return false;
    try {
      void Promise.resolve(this.options.send(payload)).catch((error: unknown) => this.options.log.warn({ err: error }, 'voice: could not send op 4'));
      return true;
    } catch (error) {
      this.options.log.warn({ err: error }, 'voice: could not send op 4');
      return false;
    }
  }
}
