import type { GatewayReadyDispatch } from 'discord-api-types/v10';
import type { EventHandler } from './handler.js';

/**
 * READY starts a fresh session and lists every guild the bot is in. Each of them is followed by a
 * GUILD_CREATE that reconciles its voice stays; a guild missing from the list (the bot was removed
 * while disconnected) gets no GUILD_CREATE, so its open stays are closed here.
 * @see https://discord.com/developers/docs/events/gateway-events#ready
 */
export const ready: EventHandler<GatewayReadyDispatch> = {
  event: 'READY',
  async handle(app, { d }) {
    const present = new Set(d.guilds.map((g) => g.id));
    const gone = new Set((await app.voice.openStays()).map((s) => s.guildId).filter((id) => !present.has(id)));
    for (const guildId of gone) await app.voice.closeAll(app.clock.now(), { estimated: true, guildId });
  },
};
