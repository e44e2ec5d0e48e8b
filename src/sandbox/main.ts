/**
 * `npm run emulator -- [--port 8790] [--interactions-url URL] [--no-rate-limits] [--log]`
 *
 * Runs the emulator standalone: prints human lines, then ONE JSON line with `api`, `gateway`,
 * `control`, `public_key`, `token`, `application_id`. Stops on SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'interactions-url': { type: 'string' },
    'no-rate-limits': { type: 'boolean', default: false },
    'heartbeat-ms': { type: 'string' },
    'privileged-intents': { type: 'string' },
    log: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}`);
  process.exit(2);
}

const emu = await startEmulator({
  port,
  rateLimits: !values['no-rate-limits'],
  logRequests: values.log,
  ...(values['interactions-url'] ? { interactionsUrl: values['interactions-url'] } : {}),
  ...(values['heartbeat-ms'] ? { heartbeatIntervalMs: Number(values['heartbeat-ms']) } : {}),
  ...(values['privileged-intents'] ? { privilegedIntents: Number(values['privileged-intents']) } : {}),
});

console.log(`Discord emulator listening on 127.0.0.1:${emu.port}`);
console.log(`  REST        ${emu.api}  (@discordjs/rest: { api: '${emu.api}', version: '10' })`);
console.log(`  Gateway     ${emu.gatewayUrl}`);
console.log(`  Control     ${emu.controlUrl}  (events: ${emu.controlUrl}/events)`);
console.log(`  Public key  ${emu.publicKey}`);
console.log(`  Bot token   ${emu.token}`);
console.log(`  App id      ${emu.applicationId}   guild ${emu.fixture.guildId} (Night Owls)`);
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
