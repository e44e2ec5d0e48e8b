import { createApp } from '../shared/app.js';
import { loadConfigOrExit, startStepOrExit } from '../shared/config.js';
import { onShutdown } from '../shared/shutdown.js';
import { buildServer } from './server.js';

/** `npm run start:http`: the interactions webhook alone (the gateway runs in another process). */
const config = loadConfigOrExit();
const app = await startStepOrExit('database', config, () => createApp(config));
const { fastify } = buildServer(app);
await startStepOrExit('listen', config, () => fastify.listen({ host: config.httpHost, port: config.httpPort }));
onShutdown(app, () => fastify.close());
