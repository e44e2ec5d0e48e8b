import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { startSandbox } from './start-sandbox.js';
import { scaleFromArgs, sessionStartsFromArgs, SCALE_OPTIONS, SESSION_START_OPTIONS } from '../sandbox/scale-args.js';

/**
 * `npm run sandbox`: the whole bot offline against the local Discord emulator — no Discord account.
 * Prints one line with one URL: the page where you act as the guild's members. `--port` picks the
 * emulator's port, `--db` keeps the database in a file of your choice, `--at` starts the clock at
 * another moment (ISO date-time, e.g. 2026-11-23T21:10:00-05:00), `--verbose` also prints the
 * emulator's REST, gateway and control URLs, the bot's own and the database. `--members`,
 * `--channels`, `--voice` and `--guilds` make the guild(s) big, and `--session-starts N
 * --session-start-reset-seconds S` set Discord's session start limit, as for `npm run emulator`.
 * `--interactions gateway` runs the bot with `INTERACTIONS=gateway` and the emulator with no
 * interactions URL: commands go out as INTERACTION_CREATE on the gateway (default `http`: signed POSTs).
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8790' },
    db: { type: 'string' },
    at: { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
    verbose: { type: 'boolean', default: false },
    interactions: { type: 'string', default: 'http' },
    ...SCALE_OPTIONS,
    ...SESSION_START_OPTIONS,
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`rollcall sandbox: --port must be a port number (got ${values.port})`);
  process.exit(2);
}
const interactions = values.interactions;
if (interactions !== 'http' && interactions !== 'gateway') {
  console.error(`rollcall sandbox: --interactions must be http or gateway (got ${interactions})`);
  process.exit(2);
}
const startAt = values.at === undefined ? undefined : Date.parse(values.at);
if (startAt !== undefined && !Number.isFinite(startAt)) {
  console.error(`rollcall sandbox: --at must be an ISO date-time such as 2026-11-23T21:10:00-05:00 (got ${values.at})`);
  process.exit(2);
}

let scale;
let sharding;
try {
  scale = scaleFromArgs(values);
  sharding = sessionStartsFromArgs(values);
} catch (error) {
  console.error(`rollcall sandbox: ${(error as Error).message}`);
  process.exit(2);
}

// The first line out is the URL, whatever the bot logs while starting (a warning about a missing
// optional feature, or everything at --log-level info): log lines wait for it, then follow it.
let held: (string | Buffer)[] | undefined = [];
const release = () => {
  for (const line of held ?? []) process.stdout.write(line);
  held = undefined;
};
const logs = new Writable({
  write(chunk: string | Buffer, _encoding, done) {
    if (held) held.push(chunk);
    else process.stdout.write(chunk);
    done();
  },
});

const sandbox = await startSandbox({
  port,
  databasePath: values.db,
  startAt,
  interactions,
  logLevel: values['log-level'] as never,
  logDestination: logs,
  ...(scale || sharding ? { emulator: { ...(scale ? { scale } : {}), ...(sharding ? { sharding } : {}) } } : {}),
}).catch((error: NodeJS.ErrnoException) => {
  release();
  if (!error.code && scale) {
    console.error(`rollcall sandbox: ${error.message}`);
    process.exit(2);
  }
  if (error.code !== 'EADDRINUSE') throw error;
  console.error(`rollcall sandbox: port ${port} is in use (another sandbox?). Stop it, or pick another port: npm run sandbox -- --port 0`);
  process.exit(1);
});
console.log(`rollcall sandbox: open ${sandbox.pageUrl}  (Ctrl+C to stop)${interactions === 'gateway' ? '  — commands over the gateway' : ''}`);
if (values.verbose) {
  const { emu } = sandbox;
  const c = emu.controlUrl;
  console.log(`
The bot is running against a local Discord emulator (guild "Night Owls").

  Emulator   REST ${emu.api}   gateway ${emu.gatewayUrl}
  Control    ${c}   (live wire log: ${c}/events; scripting: see docs/sandbox.md)
  Bot        ${interactions === 'http' ? `${sandbox.botUrl}/interactions` : 'commands as INTERACTION_CREATE on the gateway, answers on the callback route'}   (health: ${sandbox.botUrl}/healthz)
  Public key ${emu.publicKey}
  Database   ${sandbox.config.databasePath}`);
}
release();

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    if (closing) return;
    closing = true;
    await sandbox.close();
    process.exit(0);
  });
}
