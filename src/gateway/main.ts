import { createApp } from '../shared/app.js';
import { loadConfigOrExit, startStepOrExit } from '../shared/config.js';
import { onShutdown } from '../shared/shutdown.js';
import { startSidecar } from './sidecar.js';

/** `npm run start:gateway`: the gateway sidecar alone (the HTTP server runs in another process). */
const config = loadConfigOrExit();
const app = await startStepOrExit('database', config, () => createApp(config));
const sidecar = await startSidecar(app);
onShutdown(app, sidecar.stop);
