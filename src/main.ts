import { createApp } from './shared/app.js';
import { EX_CONFIG, loadConfigOrExit, reportRefusedSetting, startStepOrExit } from './shared/config.js';
import { trackGatewayHealth, type GatewayHealth } from './gateway/health.js';
import { onShutdown } from './shared/shutdown.js';
import { startSidecar } from './gateway/sidecar.js';
import { buildServer } from './http/server.js';

/** `npm start`: the interactions server and the gateway sidecar in one process (the Pi default). */
const config = loadConfigOrExit();
const app = await startStepOrExit('database', config, () => createApp(config));
// The port first: a port already taken must stop the process before it identifies to Discord (a
// restart loop would spend the day's session starts). Until the shard is up, /healthz is in its grace.
const gateway: { health?: () => GatewayHealth } = {};
const { fastify } = buildServer(app, { health: () => ({ gateway: gateway.health?.() ?? { state: 'starting', connected: false, lastEventAt: null } }) });
await startStepOrExit('listen', config, () => fastify.listen({ host: config.httpHost, port: config.httpPort }));
// A token Discord refuses: one line, a clean stop and exit 78 (no restart loop; a deploy rolls back).
const stopping: { stopWith?: (exitCode: number) => void } = {};
const sidecar = await startSidecar(app, {
  onRefused: (why) => {
    reportRefusedSetting(why);
    if (stopping.stopWith) stopping.stopWith(EX_CONFIG);
    else process.exit(EX_CONFIG);
  },
});
gateway.health = trackGatewayHealth(sidecar.gateway, app.clock);
stopping.stopWith = onShutdown(app, async () => {
  await fastify.close();
  await sidecar.stop();
});
