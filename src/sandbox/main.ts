/**
 * `npm run emulator -- [--port 8790] [--interactions-url URL] [--no-rate-limits] [--log]
 *   [--members N] [--channels N] [--voice N] [--guilds N] [--session-starts N] [--session-start-reset-seconds S]`
 *
 * `--members`, `--channels`, `--voice` and `--guilds` serve big guilds (see `state/scale.ts`): the
 * fixture guild grown to N members and N channels with N of them in voice, plus generated guilds.
 * `--session-starts` and `--session-start-reset-seconds` set Discord's session start limit (1 000
 * per 24 h): a small budget with a short window shows what the bot does when it is used up.
 *
 * Runs the emulator standalone: prints human lines, then ONE JSON line with `api`, `gateway`,
 * `control`, `public_key`, `token`, `application_id`. Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startEmulator, type GuildScale } from './index.js';
import { scaleFromArgs, sessionStartsFromArgs, SCALE_OPTIONS, SESSION_START_OPTIONS } from './scale-args.js';
import type { ShardingOptions } from './ws-gateway/sharding.js';

/** One clear line on stderr and a non-zero exit: no stack trace for a usage or startup problem. */
function fail(message: string, code: number): never {
  console.error(`emulator: ${message}`);
  process.exit(code);
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      'interactions-url': { type: 'string' },
      'no-rate-limits': { type: 'boolean', default: false },
      'heartbeat-ms': { type: 'string' },
      'privileged-intents': { type: 'string' },
      log: { type: 'boolean', default: false },
      ...SESSION_START_OPTIONS,
      ...SCALE_OPTIONS,
    },
  });
} catch (e) {
  fail((e as Error).message, 2);
}
const { values } = parsed;

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid --port ${values.port}`, 2);

let scale: GuildScale | undefined;
let sharding: ShardingOptions | undefined;
try {
  scale = scaleFromArgs(values);
  sharding = sessionStartsFromArgs(values);
} catch (e) {
  fail((e as Error).message, 2);
}

const emu = await startEmulator({
  port,
  ...(scale ? { scale } : {}),
  rateLimits: !values['no-rate-limits'],
  logRequests: values.log,
  ...(values['interactions-url'] ? { interactionsUrl: values['interactions-url'] } : {}),
  ...(values['heartbeat-ms'] ? { heartbeatIntervalMs: Number(values['heartbeat-ms']) } : {}),
  ...(values['privileged-intents'] ? { privilegedIntents: Number(values['privileged-intents']) } : {}),
  ...(sharding ? { sharding } : {}),
}).catch((e: NodeJS.ErrnoException) => {
  if (e.code === 'EADDRINUSE') fail(`port ${port} on 127.0.0.1 is already in use (another emulator? pick a free one with --port)`, 1);
  if (!e.code) fail(e.message, 2);
  if (e.code === 'EACCES') fail(`not allowed to listen on port ${port} on 127.0.0.1 (pick one above 1023 with --port)`, 1);
  fail(`could not start: ${e.message}`, 1);
});

console.log(`Discord emulator listening on 127.0.0.1:${emu.port}`);
console.log(`  REST        ${emu.api}  (@discordjs/rest: { api: '${emu.api}', version: '10' })`);
console.log(`  Gateway     ${emu.gatewayUrl}`);
console.log(`  Control     ${emu.controlUrl}  (events: ${emu.controlUrl}/events)`);
console.log(`  Public key  ${emu.publicKey}`);
console.log(`  Bot token   ${emu.token}`);
console.log(`  App id      ${emu.applicationId}   guild ${emu.fixture.guildId} (Night Owls)`);
if (emu.scaledGuilds.length > 0) {
  const g = emu.world.guild(emu.fixture.guildId);
  console.log(`  Big guilds  ${emu.scaledGuilds.length} × ${g.members.size} members, ${g.channelIds.length} channels, ${g.voice.size} in voice`);
}
console.log(`  Interactions → ${emu.interactionsUrl ?? '(not set: POST /control/interactions-url {"url": …})'}`);
console.log(
  JSON.stringify({
    api: emu.api,
    gateway: emu.gatewayUrl,
    control: emu.controlUrl,
    public_key: emu.publicKey,
    token: emu.token,
    application_id: emu.applicationId,
  }),
);

let closing = false;
const stop = async (signal: string) => {
  if (closing) return;
  closing = true;
  console.log(`\n${signal}: stopping emulator`);
  await emu.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
