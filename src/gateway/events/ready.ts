import type { GatewayReadyDispatch } from 'discord-api-types/v10';
import type { EventHandler } from './handler.js';
import { shardOf } from '../../shared/shards.js';

/**
 * READY starts a fresh session and lists every guild the bot is in. Each of them is followed by a
 * GUILD_CREATE that reconciles its voice stays; a guild missing from the list (the bot was removed
 * while disconnected) gets no GUILD_CREATE, so its open stays are closed here. A shard's READY
 * lists only the guilds of that shard (`d.shard`): guilds of the other shards are not "gone".
 * @see https://discord.com/developers/docs/events/gateway-events#ready
 */
export const ready: EventHandler<GatewayReadyDispatch, 'clock' | 'voice'> = {
  event: 'READY',
  uses: ['clock', 'voice'],
  async handle(deps, { d }) {
    const present = new Set(d.guilds.map((g) => g.id));
    const onThisShard = (guildId: string) => !d.shard || shardOf(guildId, d.shard[1]) === d.shard[0];
    const gone = new Set((await deps.voice.openStays()).map((s) => s.guildId).filter((id) => onThisShard(id) && !present.has(id)));
    for (const guildId of gone) await deps.voice.closeAll(deps.clock.now(), { estimated: true, guildId });
  },
};
