import { afterEach, describe, expect, it } from 'vitest';
import { readiness } from '../../src/http/readiness.js';
import { ManualClock } from '../../src/shared/clock.js';
import { GatewayConnection } from '../../src/shared/gateway-connection.js';
import { createRest } from '../../src/shared/discord/rest.js';
import { startEmulator } from '../../src/sandbox/index.js';
import { metrics, MetricsRegistry, registry } from '../../src/shared/metrics.js';
import { command, ping, signed } from '../helpers/interactions.js';
import { startHarness, type Harness } from '../helpers/server.js';

describe('metrics registry', () => {
  it('renders counters, gauges and histograms in the Prometheus text format (prom-client)', async () => {
    const r = new MetricsRegistry();
    const c = r.counter('t_requests_total', 'Requests.', ['route', 'status']);
    c.inc({ route: '/a', status: '200' });
    c.inc({ status: '200', route: '/a' }, 2); // label order does not matter
    c.inc({ route: 'say "hi"\\\n', status: '200' });
    r.gauge('t_up', 'Up.').set(1);
    const h = r.histogram('t_seconds', 'Latency.', [0.1, 1], ['type']);
    h.observe(0.05, { type: 'ping' });
    h.observe(0.5, { type: 'ping' });
    h.observe(7, { type: 'ping' });
    expect(await r.render()).toBe(
      [
        '# HELP t_requests_total Requests.',
        '# TYPE t_requests_total counter',
        't_requests_total{route="/a",status="200"} 3',
        't_requests_total{route="say \\"hi\\"\\\\\\n",status="200"} 1',
        '',
        '# HELP t_up Up.',
        '# TYPE t_up gauge',
        't_up 1',
        '',
        '# HELP t_seconds Latency.',
        '# TYPE t_seconds histogram',
        't_seconds_bucket{le="0.1",type="ping"} 1',
        't_seconds_bucket{le="1",type="ping"} 2',
        't_seconds_bucket{le="+Inf",type="ping"} 3',
        't_seconds_sum{type="ping"} 7.55',
        't_seconds_count{type="ping"} 3',
        '',
      ].join('\n'),
    );
    expect(c.get({ status: '200', route: '/a' })).toBe(3);
    c.setTotal(5, { route: '/a', status: '200' }); // a total kept elsewhere, copied at scrape time
    expect(c.get({ route: '/a', status: '200' })).toBe(5);
    expect(r.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(() => c.inc({ route: '/a', status: '200' }, -1)).toThrow('cannot go down');
    expect(() => c.inc({ nope: 'x' })).toThrow(/label/i);
    expect(() => r.gauge('t_requests_total', 'again')).toThrow('already registered as a counter');
  });

  it('the process registry carries Node’s own metrics, event-loop lag among them', async () => {
    const text = await registry.render();
    expect(text).toMatch(/^# TYPE nodejs_eventloop_lag_seconds gauge$/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+$/m);
  });
});

describe('readiness', () => {
  const now = 1_000_000;
  it('is ready when the gateway is connected and was heard from recently', () => {
    expect(readiness({ dbOk: true, now, gateway: { state: 'ready', connected: true, lastEventAt: null, lastHeartbeatAt: now - 30_000 } })).toEqual({ ready: true, reasons: [] });
    expect(readiness({ dbOk: true, now })).toEqual({ ready: true, reasons: [] }); // webhook-only process
  });
  it('says why not', () => {
    expect(readiness({ dbOk: false, now, gateway: { state: 'closed', connected: false, lastEventAt: now - 600_000, lastHeartbeatAt: null } }).reasons).toEqual([
      'the database does not answer',
      'the gateway is not connected (state: closed)',
      'no gateway event or heartbeat for 600 s (limit 120 s)',
    ]);
    expect(readiness({ dbOk: true, now, gateway: { state: 'connecting', connected: false, lastEventAt: null, lastHeartbeatAt: null } }).reasons).toEqual([
      'the gateway is not connected (state: connecting)',
      'no gateway event or heartbeat yet',
    ]);
  });
});

describe('/metrics and /readyz on the webhook server', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('counts interactions by type and outcome and times them; answers only loopback clients', async () => {
    h = await startHarness();
    const before = {
      ping: metrics.interactions.get({ type: 'ping', outcome: 'answered' }),
      config: metrics.interactions.get({ type: 'command:config', outcome: 'answered' }),
      forged: metrics.interactions.get({ type: 'unknown', outcome: 'bad_signature' }),
      signature: metrics.signatureFailures.get(),
    };
    await h.send(ping());
    await h.send(command('config', 'show'));
    const s = signed(h.keys, ping());
    await h.server.fastify.inject({ method: 'POST', url: '/interactions', headers: { ...s.headers, 'x-signature-ed25519': '00'.repeat(64) }, payload: s.payload });

    expect(metrics.interactions.get({ type: 'ping', outcome: 'answered' })).toBe(before.ping + 1);
    expect(metrics.interactions.get({ type: 'command:config', outcome: 'answered' })).toBe(before.config + 1);
    expect(metrics.interactions.get({ type: 'unknown', outcome: 'bad_signature' })).toBe(before.forged + 1);
    expect(metrics.signatureFailures.get()).toBe(before.signature + 1);

    const local = await h.server.fastify.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(local.statusCode).toBe(200);
    expect(local.body).toMatch(/^rollcall_interaction_duration_seconds_count\{type="ping"\} \d+$/m);
    expect(local.body).toMatch(/^rollcall_database_ok 1$/m);
    expect(local.body).toMatch(/^rollcall_message_edits_coalesced_total \d+$/m);
    expect(local.body).toMatch(/^# TYPE rollcall_signature_failures_total counter$/m);
    expect(local.body).toMatch(new RegExp(`^rollcall_signature_failures_total ${before.signature + 1}$`, 'm'));
    expect(local.body).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(local.body).toMatch(/^rollcall_discord_rest_in_flight 0$/m);

    const remote = await h.server.fastify.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.7' });
    expect(remote.statusCode).toBe(404);
    const proxied = await h.server.fastify.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1', headers: { via: '1.1 caddy' } });
    expect(proxied.statusCode).toBe(404);
  });

  it('/readyz is 503 with reasons while the gateway is down, 200 once it is back', async () => {
    const clock = new ManualClock(0);
    const connection = new GatewayConnection(clock);
    h = await startHarness({ server: { gateway: () => connection.view() } });
    clock.set(h.app.clock.now());
    connection.connecting();
    const down = await h.server.fastify.inject({ method: 'GET', url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ ready: false, reasons: ['the gateway is not connected (state: connecting)', 'no gateway event or heartbeat yet'] });
    // Liveness does not depend on Discord: the process and the database are fine.
    expect((await h.server.fastify.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    connection.ready();
    connection.heartbeatAcked(40);
    const up = await h.server.fastify.inject({ method: 'GET', url: '/readyz' });
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ ready: true, reasons: [], gateway: { state: 'ready' } });
  });
});

describe('REST metrics', () => {
  it('counts responses by route and status, and 429s separately', async () => {
    const emu = await startEmulator();
    try {
      // Discord's answer to a busy minute: one 429 with a short retry_after, then the real answer.
      emu.injectFault({ method: 'GET', route: '/users/@me', status: 429, retryAfter: 0.05, scope: 'user' });
      const rest = createRest({ apiUrl: emu.api, token: emu.token });
      const route = '/users/@me';
      const before = { ok: metrics.restResponses.get({ method: 'GET', route, status: '200' }), limited: metrics.rest429.get({ route }) };
      expect(await rest.get('/users/@me')).toMatchObject({ id: emu.fixture.botUserId });
      expect(emu.events.filter((e) => e.kind === 'rest' && e.path === '/users/@me').map((e) => (e as { status: number }).status)).toEqual([429, 200]);
      expect(metrics.rest429.get({ route })).toBe(before.limited + 1);
      expect(metrics.restResponses.get({ method: 'GET', route, status: '200' })).toBe(before.ok + 1);
      expect(metrics.restResponses.get({ method: 'GET', route, status: '429' })).toBeGreaterThan(0);
    } finally {
      await emu.close();
    }
  });
});
