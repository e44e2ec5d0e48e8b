import { bootBot } from '../boot.js';
import { loadConfigOrExit, startStepOrExit } from '../shared/config.js';
import { onShutdown } from '../shutdown.js';

/** `npm run start:http`: the interactions webhook alone (the gateway runs in another process). */
const config = loadConfigOrExit();
const bot = await bootBot(config, { gateway: false, step: (step, run) => startStepOrExit(step, config, run) });
onShutdown(bot.app, bot.stop);
