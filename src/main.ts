import { createApp } from './shared/app.js';
import { loadConfigOrExit } from './shared/config.js';
import { createGateway } from './gateway/gateway.js';
import { trackGatewayHealth } from './gateway/health.js';
import { buildServer } from './http/server.js';

/** `npm start`: the interactions server and the gateway sidecar in one process (the Pi default). */
const config = loadConfigOrExit();
const app = await createApp(config);
const gateway = createGateway(app);
const gatewayHealth = trackGatewayHealth(gateway, app.clock);
const { fastify } = buildServer(app, { health: () => ({ gateway: gatewayHealth() }) });
await fastify.listen({ host: config.httpHost, port: config.httpPort });
gateway.connect().catch((error: unknown) => app.log.error({ err: error }, 'gateway could not connect'));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await Promise.allSettled([fastify.close(), gateway.destroy()]);
    await app.close();
    process.exit(0);
  });
}
