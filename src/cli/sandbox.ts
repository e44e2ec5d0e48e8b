import { parseArgs } from 'node:util';
import { startSandbox } from './start-sandbox.js';

/**
 * `npm run sandbox`: the whole bot offline against the local Discord emulator — no Discord account.
 * Prints one URL: the page where you act as the guild's members. `--port` picks the emulator's
 * port, `--db` keeps the database in a file of your choice, `--at` starts the clock at another
 * moment (ISO date-time, e.g. 2026-11-23T21:10:00-05:00).
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8790' },
    db: { type: 'string' },
    at: { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`rollcall sandbox: --port must be a port number (got ${values.port})`);
  process.exit(2);
}
const startAt = values.at === undefined ? undefined : Date.parse(values.at);
if (startAt !== undefined && !Number.isFinite(startAt)) {
  console.error(`rollcall sandbox: --at must be an ISO date-time such as 2026-11-23T21:10:00-05:00 (got ${values.at})`);
  process.exit(2);
}

const sandbox = await startSandbox({ port, databasePath: values.db, startAt, logLevel: values['log-level'] as never }).catch((error: NodeJS.ErrnoException) => {
  if (error.code !== 'EADDRINUSE') throw error;
  console.error(`rollcall sandbox: port ${port} is in use (another sandbox?). Stop it, or pick another port: npm run sandbox -- --port 0`);
  process.exit(1);
});
const { emu } = sandbox;
const c = emu.controlUrl;
console.log(`
  rollcall sandbox is running — open ${sandbox.pageUrl}

The bot is running against a local Discord emulator (guild "Night Owls"); the page lets you act as
any member, move the bot's clock and watch what crosses the wire.

  Emulator   ${emu.api.replace(/\/api$/, '')}   (REST ${emu.api}, gateway ${emu.gatewayUrl})
  Control    ${c}   (live wire log: ${c}/events; scripting: see docs/sandbox.md)
  Bot        ${sandbox.botUrl}/interactions   (health: ${sandbox.botUrl}/healthz)
  Database   ${sandbox.config.databasePath}
Stop with Ctrl+C.`);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    if (closing) return;
    closing = true;
    await sandbox.close();
    process.exit(0);
  });
}
