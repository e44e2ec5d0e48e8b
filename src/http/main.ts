import { bootBot } from '../boot.js';
import { EX_CONFIG, loadConfigOrExit, reportRefusedSetting, startStepOrExit } from '../shared/config.js';
import { onShutdown } from '../shutdown.js';

/** `npm run start:http`: the interactions webhook alone (the gateway runs in another process). */
const config = loadConfigOrExit();
if (config.interactions === 'gateway') {
  // This process would serve no command: they arrive on the gateway process's connection.
  reportRefusedSetting('INTERACTIONS=gateway: commands arrive on the gateway, so start:http would serve none; run npm start (or start:gateway alone), or set INTERACTIONS=http');
  process.exit(EX_CONFIG);
}
const bot = await bootBot(config, { gateway: false, step: (step, run) => startStepOrExit(step, config, run) });
onShutdown(bot.app, bot.stop);
