/**
 * A tiny round-robin HTTP proxy: the stand-in for Caddy (`reverse_proxy a b { lb_policy
 * round_robin  lb_try_duration 5s }`) or any load balancer in front of several webhook replicas, for
 * the cluster test and `npm run bench -- cluster`. Each request goes to the next replica in turn; a
 * replica that refuses the connection (stopped, killed, not up yet) is skipped and the next one
 * tried, again and again for up to `tryDurationMs`, so a dead replica costs a request nothing.
 * A request whose connection was made is never sent twice: once a replica may have acted on it (a
 * vote stored, then the process killed before it answered), only the caller — Discord, which shows
 * the member "This interaction failed" — may try again. That is Caddy's rule too: it retries other
 * methods than GET only when the upstream could not be dialled.
 * @see https://caddyserver.com/docs/caddyfile/directives/reverse_proxy#load-balancing
 */
import { createServer, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1): never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length']);

export interface ProxyCounts {
  /** Requests answered by a replica (whatever its status). */
  forwarded: number;
  /** Connection attempts a replica refused (each followed by a try of the next one). */
  refused: number;
  /** Requests answered 502: no replica took the connection in time, or one failed after taking it. */
  failed: number;
}

export interface RoundRobinProxy {
  /** `http://127.0.0.1:<port>`: give `${url}/interactions` to the emulator as the interactions URL. */
  url: string;
  /** Requests each replica answered, by its base URL. */
  answeredBy: Map<string, number>;
  counts: ProxyCounts;
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** How long to keep trying replicas that refuse the connection (default 5 000 ms, as the test's `lb_try_duration`). */
  tryDurationMs?: number;
  /** The pause after every replica refused once, before the next round (Caddy's `lb_try_interval`, default 250 ms). */
  tryIntervalMs?: number;
}

type Attempt = { kind: 'answered'; res: IncomingMessage } | { kind: 'refused' } | { kind: 'failed'; error: Error };

/** Sends the buffered request to one replica; `refused` only when no connection was made. */
function attempt(upstream: URL, req: IncomingMessage, body: Buffer): Promise<Attempt> {
  return new Promise((resolve) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers as IncomingHttpHeaders)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    headers['content-length'] = String(body.length);
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
    headers['x-forwarded-host'] = req.headers.host ?? '';
    let connected = false;
    // A connection per request (no pool): a pooled socket to a replica killed meanwhile would fail
    // after the request was written, and could not be told apart from a replica that died acting on it.
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent: false }, (res) => resolve({ kind: 'answered', res }));
    out.on('socket', (socket) => socket.once('connect', () => (connected = true)));
    out.on('error', (error) => resolve(connected ? { kind: 'failed', error } : { kind: 'refused' }));
    out.end(body);
  });
}

/** Starts the proxy on 127.0.0.1 (a free port) in front of `upstreams` (base URLs such as `http://127.0.0.1:8787`). */
export async function startRoundRobinProxy(upstreams: readonly string[], options: ProxyOptions = {}): Promise<RoundRobinProxy> {
  if (upstreams.length === 0) throw new Error('a proxy needs at least one upstream');
  const targets = upstreams.map((u) => new URL(u));
  const tryDurationMs = options.tryDurationMs ?? 5_000;
  const tryIntervalMs = options.tryIntervalMs ?? 250;
  const counts: ProxyCounts = { forwarded: 0, refused: 0, failed: 0 };
  const answeredBy = new Map(upstreams.map((u) => [u, 0]));
  let next = 0;

  const fail = (res: ServerResponse, why: string) => {
    counts.failed++;
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`bad gateway: ${why}`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // The body is kept so that it can go to the next replica after a refusal.
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const deadline = Date.now() + tryDurationMs;
    for (;;) {
      const first = next++ % targets.length;
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(first + i) % targets.length]!;
        const outcome = await attempt(target, req, body);
        if (outcome.kind === 'refused') {
          counts.refused++;
          continue;
        }
        if (outcome.kind === 'failed') return fail(res, `${target.host}: ${outcome.error.message}`);
        counts.forwarded++;
        const base = upstreams[targets.indexOf(target)]!;
        answeredBy.set(base, (answeredBy.get(base) ?? 0) + 1);
        const headers = Object.fromEntries(Object.entries(outcome.res.headers).filter(([name]) => !HOP_BY_HOP.has(name) || name === 'content-length'));
        res.writeHead(outcome.res.statusCode ?? 502, headers as Record<string, string | string[]>);
        outcome.res.pipe(res);
        outcome.res.once('error', () => res.destroy());
        return;
      }
      if (Date.now() + tryIntervalMs > deadline) return fail(res, `no replica took the connection in ${tryDurationMs} ms`);
      await new Promise((r) => setTimeout(r, tryIntervalMs));
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => fail(res, error.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answeredBy,
    counts,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
