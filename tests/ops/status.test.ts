import { join } from 'node:path';
import { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import { commands } from '../../src/interactions/commands/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';
import { tempDir } from '../helpers/app.js';
import { formatStatus } from '../../src/cli/admin/status.js';
import { admin, lastLine } from './helpers/cli.js';
import { startBotProcess, type BotProcess } from './helpers/bot.js';
import { freePort } from './helpers/ports.js';

/** `npm start` against the emulator with `extra` settings, once the gateway said READY and a heartbeat came back. */
async function startReadyBot(emu: Emulator, dir: string, extra: Record<string, string>): Promise<BotProcess> {
  const env = { DISCORD_APPLICATION_ID: emu.applicationId, DISCORD_TOKEN: emu.token, DISCORD_API_URL: emu.api, DATABASE_PATH: join(dir, 'rollcall.sqlite'), LOG_LEVEL: 'warn', ...extra };
  const bot = await startBotProcess(env, await freePort());
  const deadline = Date.now() + 20_000;
  while ((await fetch(`${bot.url}/readyz`)).status !== 200) {
    if (Date.now() > deadline) throw new Error(`never ready:\n${bot.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return bot;
}

/** `status` and the operations endpoints of a real `npm start` process connected to the emulator. */
describe('admin status against a running bot', () => {
  let emu: Emulator;
  let bot: BotProcess;
  let tmp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    tmp = tempDir();
    emu = await startEmulator({ heartbeatIntervalMs: 500 });
    bot = await startReadyBot(emu, tmp.dir, { DISCORD_PUBLIC_KEY: emu.publicKey });
  }, 60_000);

  afterAll(async () => {
    await bot?.stop();
    await emu?.close();
    tmp?.cleanup();
  });

  it('shows health, version, uptime, gateway state and the last event', async () => {
    const r = await admin(['status', '--url', bot.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`rollcall at ${bot.url}`);
    expect(r.stdout).toMatch(/health\s+ok \(database ok\)/);
    expect(r.stdout).toMatch(/version\s+\d+\.\d+\.\d+/);
    expect(r.stdout).toMatch(/uptime\s+\d+ s/);
    expect(r.stdout).toMatch(/gateway\s+ready, connected, 1 session\(s\), 0 reconnect\(s\)/);
    expect(r.stdout).toMatch(/gateway\s+.*, since \d{4}-\d\d-\d\dT/);
    expect(r.stdout).toMatch(/REST queue\s+0 request\(s\) waiting or in flight/);
    expect(r.stdout).toMatch(/commands\s+over the webhook \(INTERACTIONS=http/);
    expect(r.stdout).toMatch(/last event\s+\d+ s ago/);
    expect(r.stdout).toMatch(/ready\s+yes/);

    const json = JSON.parse((await admin(['status', '--url', bot.url, '--json'])).stdout) as { healthy: boolean; ready: boolean; gateway: { state: string } };
    expect(json).toMatchObject({ healthy: true, ready: true, gateway: { state: 'ready' } });
  }, 30_000);

  it('/metrics answers on loopback in Prometheus text, and 404 to anything relayed by a proxy', async () => {
    const res = await fetch(`${bot.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await res.text();
    expect(text).toContain('# TYPE rollcall_interactions_total counter');
    expect(text).toMatch(/^rollcall_gateway_connected 1$/m);
    expect(text).toMatch(/^rollcall_discord_rest_responses_total\{method="GET",route="\/gateway\/bot",status="200"\} \d+$/m);
    expect(text).toMatch(/^rollcall_up\{revision="[^"]+",version="[^"]+"\} 1$/m);

    const relayed = await fetch(`${bot.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(relayed.status).toBe(404);
  });

  it('says clearly when nothing answers', async () => {
    const r = await admin(['status', '--url', `http://127.0.0.1:${await freePort()}`]);
    expect(r.code).toBe(1);
    expect(lastLine(r.stderr)).toMatch(/^rollcall admin: no answer from http:\/\/127\.0\.0\.1:\d+\/healthz \(ECONNREFUSED\); is the bot running\?$/);
  }, 30_000);

  it('a gateway never READY since the start says so (what a deploy is waiting for)', () => {
    const report = {
      url: 'http://127.0.0.1:8787',
      healthy: true,
      version: '0.1.0',
      revision: null,
      uptimeSeconds: 12,
      db: true,
      restQueue: 0,
      interactions: null,
      problems: [],
      ready: false,
      reasons: ['no gateway event or heartbeat yet'],
    };
    const waiting = formatStatus({ ...report, gateway: { state: 'connecting', connected: false, readyOnce: false, lastEventAt: null, lastHeartbeatAt: null } });
    expect(waiting).toMatch(/gateway\s+connecting, disconnected, never READY since the start/);
    const up = formatStatus({ ...report, gateway: { state: 'ready', connected: true, readyOnce: true, lastEventAt: null, lastHeartbeatAt: null } });
    expect(up).not.toContain('never READY');
    // One shard gets its own row only when it waits: why is news to the operator.
    const now = Date.parse('2026-12-07T12:00:00Z');
    const shard = { id: 0, state: 'ready', since: now - 60_000, lastHeardAt: now - 2_000, latencyMs: 30 };
    expect(formatStatus({ ...report, gateway: { state: 'ready', connected: true, shards: [shard] } }, now)).not.toMatch(/shard 0/);
    const waiting1 = { ...shard, state: 'waiting', since: now - 5_000, reason: "Discord's session start limit is used up", until: now + 7_500_000 };
    expect(formatStatus({ ...report, gateway: { state: 'waiting', connected: false, shards: [waiting1] } }, now)).toMatch(
      /\n {2}shard 0\s+waiting for 5 s, Discord's session start limit is used up; next IDENTIFY in 2 h 5 min(\n|$)/,
    );
  });
});

/** `npm start` with INTERACTIONS=gateway: no public key, no URL in the emulator, only loopback listening. */
describe('admin status and a command against a bot started with INTERACTIONS=gateway', () => {
  let emu: Emulator;
  let bot: BotProcess;
  let tmp: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    tmp = tempDir();
    // No interactions URL: the emulator sends INTERACTION_CREATE, as Discord does.
    emu = await startEmulator({ heartbeatIntervalMs: 500 });
    bot = await startReadyBot(emu, tmp.dir, { DISCORD_GUILD_ID: emu.fixture.guildId, INTERACTIONS: 'gateway' });
    await new REST({ api: emu.api, version: '10' }).setToken(emu.token).put(Routes.applicationGuildCommands(emu.applicationId, emu.fixture.guildId), { body: commands.map((c) => c.definition) });
  }, 60_000);

  afterAll(async () => {
    await bot?.stop();
    await emu?.close();
    tmp?.cleanup();
  });

  it("says commands come over the gateway, serves no webhook, and answers a member's command", async () => {
    const r = await admin(['status', '--url', bot.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/commands\s+over the gateway \(INTERACTIONS=gateway/);
    const health = (await (await fetch(`${bot.url}/healthz`)).json()) as { interactions: string };
    expect(health.interactions).toBe('gateway');
    expect((await fetch(`${bot.url}/interactions`, { method: 'POST', body: '{}' })).status).toBe(404);

    const result = await emu.runCommand(emu.fixture.members.alice.id, 'config', [{ name: 'show', options: [] }]);
    expect(result.via).toBe('gateway');
    expect(result.error).toBeNull();
    expect((await result.final()).content).toContain('rollcall settings');
  }, 30_000);
});
