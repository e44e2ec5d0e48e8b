/**
 * The proxy in front of the webhook replicas, for `npm run bench -- cluster`, as its own process:
 * Caddy with the repository's Caddyfile (ROLLCALL_UPSTREAM listing the replicas: round robin, see
 * docs/scaling.md) — what a deployment runs — or the cluster test's small Node proxy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './build.js';
import { cpuSeconds, freePort } from './child.js';

export type ProxyKind = 'caddy' | 'node';

export interface ProxyProcess {
  url: string;
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Starts `kind` in front of `upstreams` (base URLs) and resolves once it forwards `GET /healthz`. */
export async function startProxy(kind: ProxyKind, upstreams: readonly string[]): Promise<ProxyProcess> {
  let child: ChildProcess;
  let url: string;
  let log = '';
  const keep = (c: Buffer) => (log = (log + c.toString()).slice(-4_000));
  const home = mkdtempSync(join(tmpdir(), 'rollcall-bench-proxy-'));
  if (kind === 'caddy') {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    child = spawn('caddy', ['run', '--config', join(ROOT, 'Caddyfile'), '--adapter', 'caddyfile'], {
      env: {
        PATH: process.env.PATH ?? '',
        ROLLCALL_SITE: url,
        ROLLCALL_UPSTREAM: upstreams.map((u) => new URL(u).host).join(' '),
        CADDY_ADMIN: 'off',
        HOME: home,
        XDG_DATA_HOME: join(home, 'data'),
        XDG_CONFIG_HOME: join(home, 'config'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  } else {
    child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/proxy-process.ts', ...upstreams], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr?.on('data', keep);
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
      });
      child.once('exit', (code) => reject(new Error(`the proxy exited with ${code}:\n${log}`)));
    });
  }
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${kind} exited with ${child.exitCode}:\n${log}`);
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.status !== 502,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`${kind} did not forward /healthz in 20 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    cpuSeconds: () => cpuSeconds(child.pid!),
    async stop() {
      await stopChild(child);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
