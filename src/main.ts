import { bootBot, exitOnRefusal } from './boot.js';
import { loadConfigOrExit, startStepOrExit } from './shared/config.js';
import { onShutdown } from './shutdown.js';

/** `npm start`: the interactions server and the gateway sidecar in one process (the Pi default). */
const config = loadConfigOrExit();
// A token Discord refuses: one line, a clean stop and exit 78 (no restart loop; a deploy rolls back).
const refusal = exitOnRefusal();
const bot = await bootBot(config, { step: (step, run) => startStepOrExit(step, config, run), onRefused: refusal.onRefused });
refusal.stopWith = onShutdown(bot.app, bot.stop);
