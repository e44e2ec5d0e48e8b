import { bootBot, exitOnRefusal } from '../boot.js';
import { loadConfigOrExit, startStepOrExit } from '../shared/config.js';
import { onShutdown } from '../shutdown.js';

/** `npm run start:gateway`: the gateway sidecar alone (the HTTP server runs in another process). */
const config = loadConfigOrExit();
const refusal = exitOnRefusal();
const bot = await bootBot(config, { http: false, step: (step, run) => startStepOrExit(step, config, run), onRefused: refusal.onRefused });
refusal.stopWith = onShutdown(bot.app, bot.stop);
