import { createApp } from './shared/app.js';
import { loadConfigOrExit, startStepOrExit } from './shared/config.js';
import { trackGatewayHealth } from './gateway/health.js';
import { onShutdown } from './shared/shutdown.js';
import { startSidecar } from './gateway/sidecar.js';
import { buildServer } from './http/server.js';

/** `npm start`: the interactions server and the gateway sidecar in one process (the Pi default). */
const config = loadConfigOrExit();
const app = await startStepOrExit('database', config, () => createApp(config));
const sidecar = await startSidecar(app);
const gatewayHealth = trackGatewayHealth(sidecar.gateway, app.clock);
const { fastify } = buildServer(app, { health: () => ({ gateway: gatewayHealth() }) });
await startStepOrExit('listen', config, () => fastify.listen({ host: config.httpHost, port: config.httpPort }));
onShutdown(app, async () => {
  await fastify.close();
  await sidecar.stop();
});
