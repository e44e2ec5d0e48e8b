import { commands } from '../interactions/commands/index.js';
import { loadConfigOrExit } from '../shared/config.js';
import { createRest, DiscordApi } from '../shared/discord/rest.js';
import { registerCommands } from './registration.js';

/** `npm run register`: bulk-overwrite rollcall's slash commands (global, or DISCORD_GUILD_ID). */
const config = loadConfigOrExit();
const discord = new DiscordApi(createRest({ apiUrl: config.apiUrl, token: config.token }), config.applicationId);
try {
  await registerCommands(
    discord,
    commands.map((c) => c.definition),
    config.guildId,
    (line) => console.log(line),
  );
} catch (error) {
  console.error(`rollcall: registration failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
