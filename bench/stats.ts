/**
 * `npm run bench -- stats [--duration <s>] [--rate <req/s>]`
 *
 * A generated year (500 members, 200k voice stays over 6 voice channels, declared availability):
 * 1. co-presence alone (load the stays, then the per-channel sweep), in this process;
 * 2. every chart in one batch through the render worker (warm): per chart, wall time from the start
 *    of its aggregation to its PNG (drawing is pipelined, so this includes waiting for the draw
 *    worker) and CPU time (aggregation thread + draw thread); in all, wall and CPU;
 * 3. the built HTTP server (`dist/src/http/main.js`, a child process) on the same file: paced signed
 *    PING and `/config show` requests while `/stats <chart>` interactions for every chart run one
 *    after another (rendered in that server's worker, delivered by PATCH @original to a REST stand-in).
 *    The interaction p99 is taken from that window; an idle window first gives the baseline.
 * Last line: one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../src/shared/clock.js';
import { openDatabase } from '../src/shared/db/database.js';
import { migrateToLatest } from '../src/shared/db/migrate.js';
import { CHART_NAMES, type ChartName } from '../src/stats/catalog.js';
import { coPresence } from '../src/shared/algorithms/copresence.js';
import { loadStays } from '../src/stats/queries.js';
import { resolveScope } from '../src/stats/scope.js';
import { StatsService } from '../src/stats/service.js';
import { threadCpuMs } from '../src/stats/thread-cpu.js';
import { seedSyntheticGuild, syntheticUserId } from './lib/synthetic.js';
import { startRestStandin } from './lib/rest-standin.js';
import { APPLICATION_ID, command, GUILD_ID, ping, signed, str } from '../tests/helpers/interactions.js';
import { createTestKeys, type TestKeys } from '../tests/helpers/keys.js';
import { ensureBuilt } from './lib/build.js';
import { freePort, startServer } from './lib/child.js';
import { paced, type LoadResult, type PreparedRequest } from './lib/load.js';
import { printResult, printTable, progress, type Row } from './lib/report.js';
import { round } from './lib/stats.js';

const MEMBERS = 500;
const STAYS = 200_000;
const CHANNELS = 6;
const RANGE = '365d';
const TARGETS = { totalMs: 3_000, p99Ms: 50 } as const;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}

const memberFor = (chart: ChartName) => (chart === 'timeline' ? syntheticUserId(0) : undefined);

function prepare(keys: TestKeys, bodies: unknown[]): PreparedRequest[] {
  return bodies.map((body) => {
    const s = signed(keys, body);
    return { method: 'POST', path: '/interactions', headers: s.headers, body: s.payload };
  });
}

export async function run(args: string[]): Promise<void> {
  const durationS = Number(option(args, '--duration') ?? 10);
  const rate = Number(option(args, '--rate') ?? 100);
  if (!(durationS >= 2 && durationS <= 120)) throw new Error('--duration must be 2–120 seconds');
  if (!(rate >= 10 && rate <= 2000)) throw new Error('--rate must be 10–2000 requests per second');
  const load1 = loadavg()[0]!;
  const tmp = mkdtempSync(join(tmpdir(), 'rollcall-bench-stats-'));
  const dbPath = join(tmp, 'rollcall.sqlite');
  const now = Date.now();
  try {
    // ── the year ──────────────────────────────────────────────────────────────────────────────
    progress(`generating a year: ${MEMBERS} members, ${STAYS.toLocaleString('en-US')} stays, ${CHANNELS} voice channels`);
    let t = performance.now();
    const database = openDatabase(dbPath);
    await migrateToLatest(database.db);
    const seeded = seedSyntheticGuild(database.sqlite, { guildId: GUILD_ID, zone: 'Europe/Paris', members: MEMBERS, stays: STAYS, channels: CHANNELS, now, days: 365, seed: 2026 });
    const generateMs = performance.now() - t;
    progress(`generated ${seeded.stays.toLocaleString('en-US')} stays and ${seeded.declared.toLocaleString('en-US')} declared hours in ${Math.round(generateMs)} ms`);

    // ── co-presence alone ─────────────────────────────────────────────────────────────────────
    t = performance.now();
    const scope = await resolveScope(database.db, { guildId: GUILD_ID, chart: 'community', range: RANGE, now });
    const stays = await loadStays(database.db, scope);
    const loadMs = performance.now() - t;
    t = performance.now();
    const cpu0 = threadCpuMs();
    const pairs = coPresence(stays);
    const copresenceMs = performance.now() - t;
    const copresenceCpuMs = cpu0 === undefined ? undefined : threadCpuMs()! - cpu0;
    await database.close();
    printTable(
      [
        { step: `load ${stays.length.toLocaleString('en-US')} stays (SQL, clipped)`, ms: round(loadMs, 0) },
        { step: `co-presence sweep → ${pairs.length.toLocaleString('en-US')} pairs`, ms: round(copresenceMs, 0), 'CPU ms': copresenceCpuMs ?? null },
      ],
      'Co-presence alone (this process)',
    );

    // ── every chart through the render worker ─────────────────────────────────────────────────
    const service = new StatsService({ databasePath: dbPath, clock: new ManualClock(now) });
    t = performance.now();
    await service.warmUp();
    const warmUpMs = performance.now() - t;
    progress(`render worker up and warm in ${Math.round(warmUpMs)} ms; drawing ${CHART_NAMES.length} charts`);
    const perChart: Record<string, number> = {};
    const perChartCpu: Record<string, number> = {};
    t = performance.now();
    const results = await service.charts(
      CHART_NAMES.map((chart) => ({ guildId: GUILD_ID, chart, range: RANGE, memberId: memberFor(chart) })),
      (_i, result, ms, cpuMs) => {
        perChart[result.chart] = round(ms, 0);
        if (cpuMs !== undefined) perChartCpu[result.chart] = cpuMs;
      },
    );
    const totalMs = performance.now() - t;
    await service.close();
    const drawn = results.filter((r) => r.ok).length;
    printTable(
      results.map((r): Row => ({
        chart: r.chart,
        'wall ms to PNG': perChart[r.chart] ?? null,
        'CPU ms (aggregate + draw)': perChartCpu[r.chart] ?? null,
        png: r.ok ? `${r.width}×${r.height}` : `none: ${r.reason}`,
      })),
      `Charts (${RANGE}, one batch in the render worker, warm)`,
    );
    const totalCpuMs = Object.values(perChartCpu).reduce((a, b) => a + b, 0);
    console.log(`all ${CHART_NAMES.length} charts: ${Math.round(totalMs)} ms wall, ${totalCpuMs} ms of the worker's CPU (target ≤ ${TARGETS.totalMs} ms)`);

    // ── interactions while the server renders ─────────────────────────────────────────────────
    ensureBuilt(['dist/src/http/main.js', 'dist/src/stats/render-worker.js']);
    const keys = createTestKeys();
    const delivered = new Map<string, () => void>();
    const rest = await startRestStandin({
      'PATCH /api/v10/webhooks/\\d+/[^/]+/messages/@original': (r) => {
        const token = r.path.split('/')[5]!;
        delivered.get(token)?.();
        return { id: '1', content: '', attachments: [] };
      },
    });
    const port = await freePort();
    const server = await startServer({
      script: 'dist/src/http/main.js',
      port,
      readyPath: '/healthz',
      env: {
        DISCORD_APPLICATION_ID: APPLICATION_ID,
        DISCORD_PUBLIC_KEY: keys.publicKeyHex,
        DISCORD_TOKEN: 'bench-token-0123456789abcdef',
        DISCORD_API_URL: rest.api,
        DATABASE_PATH: dbPath,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        LOG_LEVEL: 'warn',
      },
    });
    let idle: LoadResult;
    let busy: LoadResult;
    const e2e: { chart: string; ms: number }[] = [];
    try {
      const light = prepare(
        keys,
        Array.from({ length: 32 }, (_, i) => (i % 2 ? ping() : command('config', 'show'))),
      );
      // A second of the same load first, so the baseline measures the server warm, not its JIT.
      await paced(server.url, light, rate, 1);
      progress(`baseline: ${rate} req/s of PING and /config show for 3 s, nothing rendering`);
      idle = await paced(server.url, light, rate, 3);
      progress(`${rate} req/s for ${durationS} s while /stats renders every chart, one after another`);
      let rendering = true;
      const renderLoop = (async () => {
        while (rendering) {
          for (const chart of CHART_NAMES) {
            if (!rendering) break;
            const options = chart === 'inactive' ? [] : [str('range', RANGE)];
            // The timeline is only ever the caller's own: that member asks for it.
            const interaction = command('stats', chart, options as never, chart === 'timeline' ? { userId: syntheticUserId(0) } : {}) as { token: string };
            const arrived = new Promise<void>((resolve) => delivered.set(interaction.token, resolve));
            const s = signed(keys, interaction);
            const started = performance.now();
            const res = await fetch(`${server.url}/interactions`, { method: 'POST', headers: s.headers, body: s.payload });
            const first = (await res.json()) as { type: number };
            if (first.type !== 5) throw new Error(`/stats ${chart} answered type ${first.type}, expected a deferral`);
            await arrived;
            e2e.push({ chart, ms: performance.now() - started });
          }
        }
      })();
      busy = await paced(server.url, light, rate, durationS);
      rendering = false;
      await renderLoop;
    } finally {
      await server.stop();
      await rest.close();
    }
    const byChart = new Map<string, number[]>();
    for (const x of e2e) byChart.set(x.chart, [...(byChart.get(x.chart) ?? []), x.ms]);
    printTable(
      [...byChart].map(([chart, ms]) => ({ chart, renders: ms.length, 'median e2e ms': round([...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)]!, 0) })),
      '/stats in the server: interaction → PATCH @original with the PNG (sequential, loaded data reused within a minute)',
    );
    printTable(
      [
        { window: 'idle', 'req/s': round(idle.rps, 0), 'p50 ms': round(idle.p50Ms), 'p99 ms': round(idle.p99Ms), failed: idle.failed },
        { window: 'while rendering', 'req/s': round(busy.rps, 0), 'p50 ms': round(busy.p50Ms), 'p99 ms': round(busy.p99Ms), failed: busy.failed },
      ],
      `PING + /config show at ${rate} req/s against the server (target p99 < ${TARGETS.p99Ms} ms while rendering)`,
    );
    const load2 = loadavg()[0]!;
    console.log(`load average ${load1.toFixed(1)} → ${load2.toFixed(1)} (other work on this machine inflates every figure)`);
    printResult({
      bench: 'stats',
      members: MEMBERS,
      stays: seeded.stays,
      declared_hours: seeded.declared,
      generate_ms: round(generateMs, 0),
      load_stays_ms: round(loadMs, 0),
      copresence_ms: round(copresenceMs, 0),
      copresence_cpu_ms: copresenceCpuMs,
      pairs: pairs.length,
      warm_up_ms: round(warmUpMs, 0),
      total_ms: round(totalMs, 0),
      total_cpu_ms: totalCpuMs,
      per_chart_ms: perChart,
      per_chart_cpu_ms: perChartCpu,
      charts: drawn,
      stats_renders_during_load: e2e.length,
      interaction_p99_idle_ms: round(idle.p99Ms),
      interaction_p99_ms: round(busy.p99Ms),
      interaction_failed: busy.failed,
      targets_met: totalMs <= TARGETS.totalMs && busy.p99Ms < TARGETS.p99Ms,
      loadavg: [round(load1, 1), round(load2, 1)],
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
