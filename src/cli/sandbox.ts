import { parseArgs } from 'node:util';
import { startSandbox } from './start-sandbox.js';

/**
 * `npm run sandbox`: the whole bot offline against the local Discord emulator — no Discord account.
 * `--port` picks the emulator's port, `--db` keeps the database in a file of your choice.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8790' },
    db: { type: 'string' },
    'log-level': { type: 'string', default: 'warn' },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`rollcall sandbox: --port must be a port number (got ${values.port})`);
  process.exit(2);
}

const sandbox = await startSandbox({ port, databasePath: values.db, logLevel: values['log-level'] as never });
const { emu } = sandbox;
const c = emu.controlUrl;
const post = (path: string, body: object) => `curl -s -X POST ${c}${path} -H 'content-type: application/json' -d '${JSON.stringify(body)}'`;
// Show today's message at once, whatever the hour (a real guild waits for its post time).
const today = (await sandbox.app.posts.postNow(emu.fixture.guildId)).post;
console.log(`
rollcall sandbox — the bot is running against a local Discord emulator (guild "Night Owls").

  Emulator   ${emu.api.replace(/\/api$/, '')}   (REST ${emu.api}, gateway ${emu.gatewayUrl})
  Control    ${c}   (live wire log: ${c}/events)
  Bot        ${sandbox.botUrl}/interactions   (health: ${sandbox.botUrl}/healthz)
  Database   ${sandbox.config.databasePath}

Drive it as the fixture members (alice is an admin; bob, carol, dan, erin, frank are not):
  ${post('/commands/run', { user: 'alice', name: 'config', options: [{ name: 'show', options: [] }] })}
  ${post('/react', { user: 'bob', channel: 'tonight', message: today.message_id, emoji: '🕘' })}
  ${post('/voice/join', { user: 'carol', channel: 'squadA' })}
  curl -s ${c}/channels/tonight/messages
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
