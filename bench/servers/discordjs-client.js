/* global process, performance */
/**
 * The anchor of `npm run bench -- memory`: a discord.js `Client` as the field writes one — the three
 * intents rollcall uses, every cache at its default — pointed at the emulator. `API` is the
 * emulator's REST base; the gateway URL comes from its `GET /gateway/bot`, as from Discord's.
 * Talks to the benchmark over IPC: `{ ready, startupMs }` once the client is ready with its guilds,
 * then a `memory` request is answered with `process.memoryUsage()` and what the caches hold.
 */
import { Client, Events, GatewayIntentBits } from 'discord.js';

const client = new Client({
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessageReactions, GatewayIntentBits.GuildVoiceStates],
  rest: { api: process.env.API },
});

const seen = {};
client.on(Events.Raw, (packet) => {
  if (packet.t) seen[packet.t] = (seen[packet.t] ?? 0) + 1;
});

client.once(Events.ClientReady, () => {
  process.send({ ready: true, startupMs: Math.round(performance.now()), guilds: client.guilds.cache.size });
});

process.on('message', (message) => {
  if (message === 'memory') {
    const caches = {
      guilds: client.guilds.cache.size,
      channels: client.channels.cache.size,
      users: client.users.cache.size,
      members: client.guilds.cache.reduce((n, g) => n + g.members.cache.size, 0),
      voice_states: client.guilds.cache.reduce((n, g) => n + g.voiceStates.cache.size, 0),
    };
    process.send({ memory: process.memoryUsage(), caches, seen });
  }
});

process.on('SIGTERM', async () => {
  await client.destroy();
  process.exit(0);
});

await client.login(process.env.DISCORD_TOKEN);
