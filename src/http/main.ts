import { createApp } from '../shared/app.js';
import { loadConfigOrExit } from '../shared/config.js';
import { buildServer } from './server.js';

/** `npm run start:http`: the interactions webhook alone (the gateway runs in another process). */
const config = loadConfigOrExit();
const app = await createApp(config);
const { fastify } = buildServer(app);
await fastify.listen({ host: config.httpHost, port: config.httpPort });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    await fastify.close();
    await app.close();
    process.exit(0);
  });
}
