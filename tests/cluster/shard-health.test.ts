/**
 * What an operator sees of each shard: one process running both shards of two against the
 * emulator's four guilds. `/healthz`, `/readyz`, `/metrics` and `npm run admin status` name every
 * shard with its state; one shard dropped while Discord's session start limit is used up makes the
 * process not ready, naming that shard and why, with one warning line, and it comes back by itself
 * once the limit resets. A process started with no session starts left waits instead of crashing.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootBot, type Bot } from '../../src/boot.js';
import { fetchStatus, formatStatus } from '../../src/cli/admin/status.js';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';
import type { GatewayView } from '../../src/shared/gateway-connection.js';
import { createLogger } from '../../src/shared/logger.js';
import { tempDir, testConfig } from '../helpers/app.js';
import { eventually, installedWithInvitePermissions } from '../helpers/world.js';

const noThrottle = { waitForIdentify: async () => {} };
const LIMIT_LINE = "Discord's session start limit is used up: next IDENTIFY in";

/** A bot running shards 0 and 1 of 2, its warnings kept as lines. */
async function boot(emu: Emulator, dbPath: string): Promise<{ bot: Bot; warnings: string[] }> {
  const warnings: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) warnings.push((JSON.parse(line) as { msg: string }).msg);
      done();
    },
  });
  const config = testConfig({
    applicationId: emu.applicationId,
    publicKey: emu.publicKey,
    token: emu.token,
    apiUrl: emu.api,
    databasePath: dbPath,
    interactions: 'gateway',
    shards: { count: 2, ids: [0, 1] },
  });
  const bot = await bootBot(config, { logger: createLogger('warn', sink), identifyThrottler: noThrottle, ticks: 'manual' });
  return { bot, warnings };
}

async function get(bot: Bot, url: string) {
  const res = await bot.server!.fastify.inject({ url });
  return { status: res.statusCode, body: url === '/metrics' ? res.body : (res.json() as { gateway: GatewayView; reasons: string[]; problems: string[] }) };
}

const gatewayBotCalls = (emu: Emulator) => emu.events.filter((e) => e.kind === 'rest' && (e as { path: string }).path.endsWith('/gateway/bot')).length;

describe('each shard of a process, as /healthz, /readyz, /metrics and admin status show it', () => {
  const tmp = tempDir();
  let emu: Emulator;
  let bot: Bot;
  let warnings: string[];

  beforeAll(async () => {
    emu = await startEmulator({ heartbeatIntervalMs: 500, scale: { guilds: 4 }, fixture: installedWithInvitePermissions() });
    ({ bot, warnings } = await boot(emu, `${tmp.dir}/rollcall.sqlite`));
    await bot.sidecar!.connected;
  }, 30_000);
  afterAll(async () => {
    await bot?.stop().catch(() => undefined);
    await bot?.app.close().catch(() => undefined);
    await emu?.close();
    tmp.cleanup();
  });

  it('both shards up: each with its state, since when, when last heard and its heartbeat latency', async () => {
    // A heartbeat ACK on each shard (every 500 ms) gives it a latency.
    await eventually(() => bot.sidecar!.gateway.connection.view().shards.every((s) => s.latencyMs !== null));
    const health = await get(bot, '/healthz');
    expect(health.status).toBe(200);
    const shard = { state: 'ready', since: expect.any(Number), lastHeardAt: expect.any(Number), latencyMs: expect.any(Number) };
    expect((health.body as { gateway: GatewayView }).gateway.shards).toEqual([
      { id: 0, ...shard },
      { id: 1, ...shard },
    ]);
    expect(await get(bot, '/readyz')).toMatchObject({ status: 200, body: { ready: true, reasons: [] } });
    const metrics = (await get(bot, '/metrics')).body as string;
    expect(metrics).toContain('rollcall_gateway_shard_connected{shard="0"} 1');
    expect(metrics).toContain('rollcall_gateway_shard_connected{shard="1"} 1');
    expect(metrics).toContain('rollcall_gateway_shard_identify_wait_seconds{shard="1"} 0');
    expect(metrics).toMatch(/rollcall_gateway_shard_heartbeat_latency_seconds\{shard="1"\} \d/);
    const status = formatStatus(await fetchStatus(bot.url!));
    expect(status).toMatch(/shard 0\s+ready for \d+ s, heard \d+ s ago, heartbeat \d+ ms/);
    expect(status).toMatch(/shard 1\s+ready for \d+ s, heard \d+ s ago, heartbeat \d+ ms/);
  });

  it('shard 1 dropped while the session start limit is used up: /readyz names it and why, one warning line, no IDENTIFY past the limit; back after the reset', { timeout: 30_000 }, async () => {
    const token = emu.token;
    const callsBefore = gatewayBotCalls(emu);
    // Long enough for a loaded machine to reach the IDENTIFY within it (real time: the emulator's window).
    emu.exhaustSessionStarts(6_000);
    // Not resumable: shard 1 needs a new session, so an IDENTIFY, and none is left for 6 s.
    expect(emu.dropGateway({ shard: 1, resumable: false })).toBe(1);
    const waiting = await eventually(async () => {
      const ready = await get(bot, '/readyz');
      expect(ready.status).toBe(503);
      expect((ready.body as { reasons: string[] }).reasons[0]).toMatch(
        /^the gateway is not connected \(state: waiting\): shard 1 is waiting: Discord's session start limit is used up \(next IDENTIFY in [1-6] s\)$/,
      );
      return ready;
    }, 15_000);
    expect(waiting.status).toBe(503);
    const health = await get(bot, '/healthz');
    // Within the 60 s grace period: alive, with shard 1's wait and its reason for the operator.
    expect(health.status).toBe(200);
    expect((health.body as { gateway: GatewayView }).gateway.shards).toEqual([
      expect.objectContaining({ id: 0, state: 'ready' }),
      expect.objectContaining({ id: 1, state: 'waiting', reason: "Discord's session start limit is used up", until: expect.any(Number) }),
    ]);
    const metrics = (await get(bot, '/metrics')).body as string;
    expect(metrics).toContain('rollcall_gateway_shard_connected{shard="0"} 1');
    expect(metrics).toContain('rollcall_gateway_shard_connected{shard="1"} 0');
    expect(metrics).toMatch(/rollcall_gateway_shard_identify_wait_seconds\{shard="1"\} [0-6]\.?\d*/);
    const status = formatStatus(await fetchStatus(bot.url!));
    expect(status).toMatch(/shard 1\s+waiting for \d+ s, Discord's session start limit is used up; next IDENTIFY in [0-6] s/);
    expect(status).toMatch(/ready\s+no: the gateway is not connected \(state: waiting\): shard 1 is waiting/);
    // Shard 0's guilds are still served meanwhile.
    expect(bot.sidecar!.gateway.connection.shardConnected(0)).toBe(true);

    await eventually(async () => (await get(bot, '/readyz')).status === 200, 20_000);
    // Shard 1 with a new session; shard 0 up all along (a loaded machine may have made it resume).
    expect(bot.sidecar!.gateway.connection.view().shards.map((s) => s.state)).toEqual([expect.stringMatching(/^(ready|resumed)$/), 'ready']);
    expect(warnings.filter((w) => w.startsWith(LIMIT_LINE))).toEqual([
      expect.stringMatching(/^Discord's session start limit is used up: next IDENTIFY in [1-6] s \(shard 1 waits; 0 of 1000 session starts left until then\)$/),
    ]);
    // Never an IDENTIFY past the limit (Discord would end every session and reset the token)...
    expect(emu.token).toBe(token);
    expect(emu.events.some((e) => e.kind === 'gateway-close' && String((e as { reason: string }).reason).startsWith('session start limit exceeded'))).toBe(false);
    // ...and no busy loop: the limit was asked about before the wait and after it, not in a loop.
    expect(gatewayBotCalls(emu) - callsBefore).toBeLessThanOrEqual(3);
  });
});

// Its own emulator and a bot alone in it: @discordjs/ws keeps sessions per shard id in one store
// for the whole Node process, so a second bot here would resume the first one's sessions.
describe('a process started with no session starts left', () => {
  it('waits for the reset (one line, both shards waiting, not ready), then connects', { timeout: 30_000 }, async () => {
    const tmp = tempDir();
    const emu = await startEmulator({ heartbeatIntervalMs: 500, scale: { guilds: 4 }, fixture: installedWithInvitePermissions() });
    emu.exhaustSessionStarts(5_000);
    const second = await boot(emu, `${tmp.dir}/rollcall.sqlite`);
    try {
      await eventually(() => second.bot.sidecar!.gateway.connection.view().shards.every((s) => s.state === 'waiting'));
      const ready = await get(second.bot, '/readyz');
      expect(ready.status).toBe(503);
      expect((ready.body as { reasons: string[] }).reasons[0]).toMatch(/shard 0 is waiting: Discord's session start limit is used up \(next IDENTIFY in [1-5] s\); shard 1 is waiting/);
      await second.bot.sidecar!.connected;
      expect(second.bot.sidecar!.gateway.connection.view()).toMatchObject({
        connected: true,
        shards: [
          { id: 0, state: 'ready' },
          { id: 1, state: 'ready' },
        ],
      });
      expect(second.warnings.filter((w) => w.startsWith(LIMIT_LINE))).toEqual([expect.stringMatching(/next IDENTIFY in [1-5] s \(shards 0, 1 wait;/)]);
      // No "could not connect" retries: @discordjs/ws's connect() was not called into its own refusal.
      expect(second.warnings.filter((w) => w.includes('could not connect'))).toEqual([]);
      expect(emu.events.some((e) => e.kind === 'gateway-close' && String((e as { reason: string }).reason).startsWith('session start limit exceeded'))).toBe(false);
    } finally {
      await second.bot.stop().catch(() => undefined);
      await second.bot.app.close().catch(() => undefined);
      await emu.close();
      tmp.cleanup();
    }
  });
});
