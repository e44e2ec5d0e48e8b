import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GATEWAY_GRACE_MS, health, readiness } from '../../src/http/readiness.js';
import { ManualClock } from '../../src/shared/clock.js';
import { GatewayConnection } from '../../src/shared/gateway-connection.js';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';
import { tempDir } from '../helpers/app.js';
import { startHarness, type Harness } from '../helpers/server.js';
import { admin } from './helpers/cli.js';
import { startBotProcess, type BotProcess } from './helpers/bot.js';
import { freePort } from './helpers/ports.js';

const now = 10_000_000;
const startedAt = now - 3_600_000;

describe('health verdict', () => {
  const connected = { state: 'ready', connected: true, lastEventAt: now - 5_000, lastHeartbeatAt: now - 20_000, connectedAt: now - 600_000, disconnectedAt: null };

  it('is ok with the database up and the gateway connected; reports since when and the dispatch age', () => {
    expect(health({ dbOk: true, now, startedAt, gateway: connected })).toEqual({ ok: true, problems: [], connectedAt: now - 600_000, lastDispatchAgeSeconds: 5 });
    // A quiet guild: no dispatch for hours, but heartbeats are ACKed. Reported, not a failure.
    expect(health({ dbOk: true, now, startedAt, gateway: { ...connected, lastEventAt: now - 7_200_000 } })).toMatchObject({ ok: true, lastDispatchAgeSeconds: 7200 });
  });

  it('fails on the database, a gateway down past the grace period, or a silent socket', () => {
    expect(health({ dbOk: false, now, startedAt, gateway: connected }).problems).toEqual(['the database does not answer']);
    const down = { state: 'reconnecting', connected: false, lastEventAt: now - 90_000, lastHeartbeatAt: now - 90_000, connectedAt: null };
    expect(health({ dbOk: true, now, startedAt, gateway: { ...down, disconnectedAt: now - 30_000 } }).ok).toBe(true); // a blip, within the grace
    expect(health({ dbOk: true, now, startedAt, gateway: { ...down, disconnectedAt: now - 61_000 } }).problems).toEqual(['the gateway has been disconnected for 61 s (state: reconnecting)']);
    // Never connected: the grace runs from the start of the process.
    const never = { state: 'connecting', connected: false, lastEventAt: null, lastHeartbeatAt: null, connectedAt: null, disconnectedAt: null };
    expect(health({ dbOk: true, now, startedAt: now - 10_000, gateway: never }).ok).toBe(true);
    expect(health({ dbOk: true, now, startedAt: now - GATEWAY_GRACE_MS - 1_000, gateway: never }).problems).toEqual(['the gateway has been disconnected for 61 s (state: connecting)']);
    expect(health({ dbOk: true, now, startedAt, gateway: { ...connected, lastEventAt: now - 200_000, lastHeartbeatAt: now - 190_000 } }).problems).toEqual([
      'no gateway dispatch or heartbeat for 190 s',
    ]);
  });

  it('names the shard that is down, and why a waiting shard waits; one shard alone is named only when it waits', () => {
    const shard = (id: number, state: string, extra = {}) => ({ id, state: state as 'ready', since: now - 12_000, lastHeardAt: now - 20_000, latencyMs: 40, ...extra });
    const down = { state: 'reconnecting', connected: false, lastEventAt: now - 20_000, lastHeartbeatAt: now - 20_000, connectedAt: null, disconnectedAt: now - 90_000 };
    expect(health({ dbOk: true, now, startedAt, gateway: { ...down, shards: [shard(0, 'ready'), shard(1, 'reconnecting')] } }).problems).toEqual([
      'the gateway has been disconnected for 90 s (state: reconnecting): shard 1 is reconnecting for 12 s',
    ]);
    const waiting = shard(1, 'waiting', { reason: "Discord's session start limit is used up", until: now + 7_200_000 });
    expect(readiness({ dbOk: true, now, gateway: { ...down, state: 'waiting', shards: [shard(0, 'ready'), waiting] } }).reasons[0]).toBe(
      "the gateway is not connected (state: waiting): shard 1 is waiting: Discord's session start limit is used up (next IDENTIFY in 7200 s)",
    );
    expect(readiness({ dbOk: true, now, gateway: { ...down, shards: [shard(0, 'reconnecting')] } }).reasons[0]).toBe('the gateway is not connected (state: reconnecting)');
    expect(readiness({ dbOk: true, now, gateway: { ...down, state: 'waiting', shards: [{ ...waiting, id: 0 }] } }).reasons[0]).toMatch(
      /^the gateway is not connected \(state: waiting\): shard 0 is waiting/,
    );
  });

  it('a webhook-only process judges by the gateway process’s heartbeat rows', () => {
    expect(health({ dbOk: true, now, startedAt, recorded: { beatAt: now - 20_000, connectedAt: now - 25_000 } }).ok).toBe(true);
    expect(health({ dbOk: true, now, startedAt, recorded: { beatAt: now - 200_000, connectedAt: now - 200_000 } }).problems).toEqual(["the gateway process's last heartbeat was 200 s ago"]);
    expect(health({ dbOk: true, now, startedAt, recorded: { beatAt: now - 10_000, connectedAt: now - 400_000 } }).problems).toEqual(['the gateway process was last connected to Discord 400 s ago']);
    expect(health({ dbOk: true, now, startedAt: now - 5_000, recorded: { beatAt: null, connectedAt: null } }).ok).toBe(true); // both just started
    expect(health({ dbOk: true, now, startedAt, recorded: { beatAt: null, connectedAt: null } }).problems).toEqual(['no gateway process has written a heartbeat (is rollcall-gateway running?)']);
  });
});

describe('/healthz on the webhook server', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('answers 503 when the gateway has been down too long, to the Pi with the reasons and to the internet with the verdict only', async () => {
    const clock = new ManualClock(0);
    const connection = new GatewayConnection(clock);
    h = await startHarness({ server: { gateway: () => connection.view() } });
    const t = h.app.clock.now();
    clock.set(t - 600_000);
    connection.connecting();
    connection.ready();
    clock.set(t - 120_000);
    connection.closed(1006);
    const local = await h.server.fastify.inject({ method: 'GET', url: '/healthz', remoteAddress: '127.0.0.1' });
    expect(local.statusCode).toBe(503);
    expect(local.json()).toMatchObject({ status: 'degraded', db: true, problems: ['the gateway has been disconnected for 120 s (state: reconnecting)'], restQueue: 0 });
    const relayed = await h.server.fastify.inject({ method: 'GET', url: '/healthz', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(relayed.statusCode).toBe(503);
    expect(relayed.json()).toEqual({ status: 'degraded' });

    clock.set(t - 3_000);
    connection.resumed();
    connection.dispatched();
    clock.set(t - 1_000);
    connection.heartbeatAcked(40);
    const ok = await h.server.fastify.inject({ method: 'GET', url: '/healthz', remoteAddress: '127.0.0.1' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ok', problems: [], gateway: { state: 'resumed', connected: true, connectedAt: t - 3_000, lastDispatchAgeSeconds: 3 } });
  });

  it('a webhook-only process reads the gateway process’s heartbeat rows from the database', async () => {
    h = await startHarness();
    const t = h.app.clock.now();
    const beat = (process: string, beat_at: number, started_at: number) =>
      h.app.db
        .insertInto('heartbeats')
        .values({ process, beat_at, started_at })
        .onConflict((oc) => oc.column('process').doUpdateSet({ beat_at, started_at }))
        .execute();
    await beat('gateway', t - 10_000, t - 3_600_000);
    await beat('gateway:gateway-connected', t - 12_000, t - 3_600_000);
    const ok = await h.server.fastify.inject({ method: 'GET', url: '/healthz', remoteAddress: '127.0.0.1' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ status: 'ok', gateway: { inProcess: false, beatAt: t - 10_000, connectedAt: t - 12_000 } });

    await beat('gateway', t - 300_000, t - 3_600_000);
    const stale = await h.server.fastify.inject({ method: 'GET', url: '/healthz', remoteAddress: '127.0.0.1' });
    expect(stale.statusCode).toBe(503);
    expect(stale.json()).toMatchObject({ problems: ["the gateway process's last heartbeat was 300 s ago"] });
  });
});

/** A real `npm start` against the emulator: connected since when, REST queue depth, then Discord goes away. */
describe('/healthz of a running bot', () => {
  let emu: Emulator;
  let bot: BotProcess;
  let tmp: ReturnType<typeof tempDir>;
  afterEach(async () => {
    await bot?.stop();
    await emu?.close();
    tmp?.cleanup();
  });

  it('shows the connection, the last dispatch and requests waiting on Discord; 503 once the gateway is gone past the grace', async () => {
    tmp = tempDir();
    emu = await startEmulator({ heartbeatIntervalMs: 500 });
    const env = {
      DISCORD_APPLICATION_ID: emu.applicationId,
      DISCORD_PUBLIC_KEY: emu.publicKey,
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.api,
      DATABASE_PATH: join(tmp.dir, 'rollcall.sqlite'),
      LOG_LEVEL: 'warn',
    };
    bot = await startBotProcess({ ...env, HEALTH_GATEWAY_GRACE_SECONDS: '2' }, await freePort());
    emu.setInteractionsUrl(`${bot.url}/interactions`);
    expect((await admin(['register', '--guild', emu.fixture.guildId], { env })).code).toBe(0);
    type Body = { status: string; problems: string[]; restQueue: number; gateway: { connected: boolean; connectedAt: number | null; lastDispatchAgeSeconds: number | null } };
    const get = async () => {
      const res = await fetch(`${bot.url}/healthz`);
      return { code: res.status, body: (await res.json()) as Body };
    };
    const until = async (what: string, ok: (r: Awaited<ReturnType<typeof get>>) => boolean, ms = 15_000) => {
      const deadline = Date.now() + ms;
      for (;;) {
        const r = await get();
        if (ok(r)) return r;
        if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(r)}\n${bot.output()}`);
        await new Promise((done) => setTimeout(done, 100));
      }
    };

    const up = await until('connected', (r) => r.body.gateway.connected && r.body.gateway.lastDispatchAgeSeconds !== null);
    expect(up.code).toBe(200);
    expect(up.body.gateway.connectedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(up.body.restQueue).toBe(0);

    // A deferred answer held 3 s by Discord is one request in the queue meanwhile.
    emu.injectFault({ method: 'PATCH', route: '/webhooks/:id/:token/messages/:id', latencyMs: 3_000 });
    const pending = await emu.runCommand(emu.fixture.members.alice.id, 'stats', [{ name: 'me', options: [] }]);
    expect((await until('queued', (r) => r.body.restQueue >= 1)).code).toBe(200);
    await pending.final(15_000);
    await until('drained', (r) => r.body.restQueue === 0);

    await emu.close();
    const down = await until('503 after the grace', (r) => r.code === 503, 20_000);
    expect(down.body.status).toBe('degraded');
    expect(down.body.problems[0]).toMatch(/^the gateway has been disconnected for \d+ s/);
  }, 90_000);
});
