import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import { percentile } from './stats.js';

/** One pre-built HTTP request (signed once, sent many times). */
export interface PreparedRequest {
  method: 'POST' | 'GET';
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  /** Successful (2xx) responses per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  /** Non-2xx answers plus socket errors and timeouts; any of these makes the figure worthless. */
  failed: number;
}

/**
 * Closed-loop saturation with autocannon: `connections` keep-alive connections each send the next
 * request as soon as the previous answer arrives, cycling through `requests`.
 */
export async function saturate(url: string, requests: readonly PreparedRequest[], durationS: number, connections = 16): Promise<LoadResult> {
  const result = await autocannon({ url, connections, duration: durationS, requests: [...requests], timeout: 10 });
  return {
    rps: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    ok: result['2xx'],
    failed: result.non2xx + result.errors + result.timeouts,
  };
}

/**
 * Open-loop load at a fixed arrival rate: request i leaves at start + i/rate whatever happened to
 * the previous ones (late timer ticks catch up), so a slow answer cannot hold the next request back.
 * Latency runs from the moment each request is handed to the client to its last response byte.
 *
 * autocannon's `overallRate`/`connectionRate` are not used here because they are per-second quotas:
 * each connection fires its whole quota back-to-back when the second starts and then idles, which
 * measures bursts, not a steady 500 req/s.
 */
export async function paced(url: string, requests: readonly PreparedRequest[], rate: number, durationS: number): Promise<LoadResult> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const total = Math.round(rate * durationS);
  const intervalMs = 1000 / rate;
  const latencies: number[] = [];
  let failed = 0;
  let settled = 0;

  await new Promise<void>((resolve) => {
    const done = () => {
      if (++settled === total) resolve();
    };
    const send = (i: number) => {
      const r = requests[i % requests.length]!;
      const t0 = performance.now();
      const req = request(
        { agent, host: target.hostname, port: target.port, method: r.method, path: r.path, headers: { ...r.headers, 'content-length': String(Buffer.byteLength(r.body)) } },
        (res) => {
          res.resume();
          res.once('end', () => {
            if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) latencies.push(performance.now() - t0);
            else failed++;
            done();
          });
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.once('error', () => {
        failed++;
        done();
      });
      req.end(r.body);
    };
    const start = performance.now();
    let next = 0;
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) send(next++);
      if (next < total) setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
    };
    tick();
  });
  agent.destroy();
  return { rps: latencies.length / durationS, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), ok: latencies.length, failed };
}
