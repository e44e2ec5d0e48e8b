import type { DiscordGatewayAdapterCreator, DiscordGatewayAdapterLibraryMethods } from '@discordjs/voice';
import { GatewayOpcodes, type GatewayDispatchPayload, type GatewayVoiceStateUpdate } from 'discord-api-types/v10';
import type { Logger } from '../shared/logger.js';

export interface VoiceBridgeOptions {
  /** Sends a payload on the bot's gateway shard (`WebSocketManager#send(0, …)`). */
  send: (payload: GatewayVoiceStateUpdate) => PromiseLike<void> | void;
  /** Whether the shard can send now (ready or resumed). */
  connected: () => boolean;
  log: Logger;
}

/**
 * The @discordjs/voice adapter over rollcall's own @discordjs/ws shard, so voice needs no discord.js
 * client: op 4 (Update Voice State) goes out through the shard, and the bot's own
 * VOICE_STATE_UPDATE and every VOICE_SERVER_UPDATE come back to the voice connection of that guild.
 * @see https://discord.com/developers/docs/events/gateway-events#update-voice-state
 * @see https://discord.com/developers/docs/topics/voice-connections#retrieving-voice-server-information
 */
export class VoiceGatewayBridge {
  private botUserId: string | undefined;
  private readonly adapters = new Map<string, DiscordGatewayAdapterLibraryMethods>();

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

  /** The shard closed for good: voice connections can no longer signal through it. */
  onShardGone(): void {
    for (const methods of [...this.adapters.values()]) methods.destroy();
    this.adapters.clear();
  }

  /** Leaves voice in a guild (op 4 with no channel) without a voice connection: the last resort. */
  leave(guildId: string): boolean {
    return this.sendNow({ op: GatewayOpcodes.VoiceStateUpdate, d: { guild_id: guildId, channel_id: null, self_mute: false, self_deaf: false } });
  }

  /** Whether an adapter is waiting for events in this guild (tests). */
  has(guildId: string): boolean {
    return this.adapters.has(guildId);
  }

  private sendNow(payload: GatewayVoiceStateUpdate): boolean {
    if (!this.options.connected()) return false;
    try {
      void Promise.resolve(this.options.send(payload)).catch((error: unknown) => this.options.log.warn({ err: error }, 'voice: could not send op 4'));
      return true;
    } catch (error) {
      this.options.log.warn({ err: error }, 'voice: could not send op 4');
      return false;
    }
  }
}
