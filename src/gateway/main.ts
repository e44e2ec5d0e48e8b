import { createApp } from '../shared/app.js';
import { EX_CONFIG, loadConfigOrExit, reportRefusedSetting, startStepOrExit } from '../shared/config.js';
import { onShutdown } from '../shared/shutdown.js';
import { startSidecar } from './sidecar.js';

/** `npm run start:gateway`: the gateway sidecar alone (the HTTP server runs in another process). */
const config = loadConfigOrExit();
const app = await startStepOrExit('database', config, () => createApp(config));
const stopping: { stopWith?: (exitCode: number) => void } = {};
const sidecar = await startSidecar(app, {
  onRefused: (why) => {
    reportRefusedSetting(why);
    if (stopping.stopWith) stopping.stopWith(EX_CONFIG);
    else process.exit(EX_CONFIG);
  },
});
stopping.stopWith = onShutdown(app, sidecar.stop);
