import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metrics } from '../../src/shared/metrics.js';
import { tempDir } from '../helpers/app.js';
import { needs } from '../helpers/programs.js';
import { ping, signed } from '../helpers/interactions.js';
import { startHarness, type Harness } from '../helpers/server.js';
import { REPO } from './helpers/cli.js';
import { freePort } from './helpers/ports.js';

const need = needs('caddy');

/**
 * Raw HTTPS so the test controls the body size and sees Caddy's own answer. `agent` trusts only
 * Caddy's local root: a certificate it did not sign fails the request.
 */
function send(agent: Agent, port: number, method: string, path: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      answered = true;
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    // Caddy may answer 413 and close before the whole body is sent.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? resolve({ status: -1, body: error.code }) : reject(error)));
    if (!body || Buffer.byteLength(body) <= 1024 * 1024) return void req.end(body);
    // An oversized body: as a client that waits a moment for an early answer to its headers (Caddy
    // refuses by Content-Length without reading), so a busy machine cannot turn the 413 into EPIPE.
    req.flushHeaders();
    setTimeout(() => {
      if (!answered) req.end(body);
    }, 2_000);
  });
}

describe.skipIf(need.missing)(need.title('Caddyfile'), () => {
  let bot: Harness;
  let caddy: ChildProcess;
  let caddyLog = '';
  let port = 0;
  let agent: Agent;
  let tmp: ReturnType<typeof tempDir>;
  const env = (site: string, upstream: string, tls?: string) => ({
    ...process.env,
    ROLLCALL_SITE: site,
    ...(tls ? { ROLLCALL_TLS: tls } : {}),
    ROLLCALL_UPSTREAM: upstream,
    CADDY_ADMIN: 'off',
    HOME: tmp.dir,
    XDG_DATA_HOME: join(tmp.dir, 'data'),
    XDG_CONFIG_HOME: join(tmp.dir, 'config'),
  });

  beforeAll(async () => {
    tmp = tempDir();
    bot = await startHarness();
    const botUrl = new URL(await bot.listen());
    port = await freePort();
    // HTTPS with a certificate from Caddy's own CA ("tls internal"), kept in the temp XDG folder.
    caddy = spawn('caddy', ['run', '--config', join(REPO, 'Caddyfile'), '--adapter', 'caddyfile'], {
      env: env(`https://127.0.0.1:${port}`, `127.0.0.1:${botUrl.port}`, 'internal'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    caddy.stderr?.on('data', (c: Buffer) => (caddyLog += c.toString()));
    const root = join(tmp.dir, 'data', 'caddy', 'pki', 'authorities', 'local', 'root.crt');
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (caddy.exitCode !== null || Date.now() > deadline) throw new Error(`caddy did not come up:\n${caddyLog}`);
      try {
        agent ??= new Agent({ ca: readFileSync(root), keepAlive: false });
        if ((await send(agent, port, 'GET', '/healthz')).status === 200) break;
      } catch {
        // root.crt not written yet, or the listener not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 30_000);

  afterAll(async () => {
    if (caddy && caddy.exitCode === null) {
      const exited = new Promise((r) => caddy.once('exit', r));
      caddy.kill('SIGTERM');
      await exited;
    }
    agent?.destroy();
    await bot?.close();
    tmp?.cleanup();
  });

  it('passes caddy validate, for a tunnel site and for a public name with automatic HTTPS', () => {
    for (const site of ['http://rollcall.example.org:8080', 'rollcall.example.org']) {
      const r = spawnSync('caddy', ['validate', '--config', join(REPO, 'Caddyfile'), '--adapter', 'caddyfile'], { env: env(site, '127.0.0.1:8787'), encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).toContain('Valid configuration');
    }
  });

  it('gets the public name a publicly trusted certificate by default, and uses its own CA only when told', () => {
    const issuers = (tls?: string) => {
      const r = spawnSync('caddy', ['adapt', '--config', join(REPO, 'Caddyfile'), '--adapter', 'caddyfile'], { env: env('rollcall.example.org', '127.0.0.1:8787', tls), encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const config = JSON.parse(r.stdout) as { apps: { tls?: { automation?: { policies?: { issuers?: { module: string }[] }[] } } } };
      return (config.apps.tls?.automation?.policies ?? []).flatMap((p) => (p.issuers ?? []).map((i) => i.module));
    };
    // No tls policy at all: Caddy's automatic HTTPS (ACME) for the name.
    expect(issuers()).toEqual([]);
    expect(issuers('internal')).toEqual(['internal']);
  });

  it('serves HTTPS with a certificate only Caddy’s local root vouches for', async () => {
    const stranger = new Agent({ keepAlive: false }); // the system's CAs only
    await expect(send(stranger, port, 'GET', '/healthz')).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
    stranger.destroy();
  });

  it('proxies signed interactions to the bot, and the bot still checks signatures', async () => {
    const s = signed(bot.keys, ping());
    const ok = await send(agent, port, 'POST', '/interactions', s.payload, s.headers);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ type: 1 });

    const forged = await send(agent, port, 'POST', '/interactions', s.payload, { ...s.headers, 'x-signature-ed25519': '00'.repeat(64) });
    expect(forged.status).toBe(401);

    const health = await send(agent, port, 'GET', '/healthz');
    expect(health.status).toBe(200);
    // The internet learns that the bot is up, not which version or commit it runs.
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });

    const other = await send(agent, port, 'POST', '/other', s.payload, s.headers);
    expect(other.status).toBe(404);
    expect(await (await fetch(`${bot.url}/healthz`)).json()).toMatchObject({ status: 'ok', db: true, version: expect.any(String) });
  });

  it('answers 404 itself for /metrics, /readyz and anything else', async () => {
    for (const [method, path] of [
      ['GET', '/metrics'],
      ['GET', '/readyz'],
      ['GET', '/'],
      ['GET', '/interactions'],
      ['POST', '/healthz'],
      ['GET', '/interactions/../metrics'],
      ['GET', '/.env'],
    ] as const) {
      const r = await send(agent, port, method, path);
      expect(r.status, `${method} ${path}`).toBe(404);
      expect(r.body, `${method} ${path}`).toBe('');
    }
    // The bot itself would have served /metrics to a local client; through Caddy it never does.
    expect((await fetch(`${bot.url}/metrics`)).status).toBe(200);
  });

  it('refuses a 2 MiB body over TLS before it reaches the bot', async () => {
    const tooLarge = () => metrics.interactions.get({ type: 'unknown', outcome: 'too_large' });
    const before = tooLarge();
    const big = Buffer.alloc(2 * 1024 * 1024, 'a');
    const r = await send(agent, port, 'POST', '/interactions', big, { 'content-type': 'application/json', 'x-signature-ed25519': '00', 'x-signature-timestamp': '0' });
    expect(r.status).toBe(413);
    expect(tooLarge()).toBe(before);
  });

  it('logs requests as JSON lines without bodies or signatures', async () => {
    const s = signed(bot.keys, ping());
    await send(agent, port, 'POST', '/interactions', s.payload, s.headers);
    await new Promise((r) => setTimeout(r, 200));
    const lines = caddyLog.split('\n').filter((l) => l.includes('"uri":"/interactions"'));
    expect(lines.length).toBeGreaterThan(0);
    const entry = JSON.parse(lines.at(-1)!) as { status: number; request: { method: string; headers: Record<string, string[]> } };
    expect(entry).toMatchObject({ status: 200, request: { method: 'POST' } });
    expect(caddyLog).not.toContain(s.headers['x-signature-ed25519']);
    expect(caddyLog).not.toContain('"application_id"');
  });
});
