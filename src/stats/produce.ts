import type { Kysely } from 'kysely';
import type { Database } from '../shared/db/schema.js';
import type { ChartName, ChartProgress, ChartRequest, ChartResult } from './catalog.js';
import { bestWindowChart } from './charts/best-window.js';
import type { ChartBuilder } from './charts/chart.js';
import { communityChart } from './charts/community.js';
import { driftingChart } from './charts/drifting.js';
import { duosChart } from './charts/duos.js';
import { inactiveChart } from './charts/inactive.js';
import { memberMonthsChart } from './charts/member-months.js';
import { monthsChart } from './charts/months.js';
import { reliabilityChart } from './charts/reliability.js';
import { timelineChart } from './charts/timeline.js';
import { totalChart } from './charts/total.js';
import { weekdaysChart } from './charts/weekdays.js';
import { StatsContext } from './context.js';
import type { Draw } from './drawer.js';
import { privacyGeneration, resolveScope } from './scope.js';
import { threadCpuMs } from './thread-cpu.js';

export const BUILDERS: Readonly<Record<ChartName, ChartBuilder>> = {
  community: communityChart,
  duos: duosChart,
  total: totalChart,
  inactive: inactiveChart,
  weekdays: weekdaysChart,
  months: monthsChart,
  'member-months': memberMonthsChart,
  drifting: driftingChart,
  timeline: timelineChart,
  reliability: reliabilityChart,
  'best-window': bestWindowChart,
};

/**
 * Charts that read their own few rows (one member's stays, a per-member aggregate in SQL) instead
 * of the window's shared stays and co-presence sweep.
 */
const OWN_ROWS: ReadonlySet<ChartName> = new Set<ChartName>(['timeline', 'inactive', 'total']);

/**
 * Splits a batch for the two stats threads: the charts that share nothing go to the draw worker,
 * which aggregates and draws them while the render worker loads the shared stays (total then sums
 * in SQL, as when asked alone); the rest stay, their specs drawn in the draw worker as they come.
 * Each part lists indices into `requests`.
 */
export function splitBatch(requests: readonly ChartRequest[]): { own: number[]; shared: number[] } {
  const own: number[] = [];
  const shared: number[] = [];
  requests.forEach((r, i) => (OWN_ROWS.has(r.chart) ? own : shared).push(i));
  return { own, shared };
}

export type { ChartProgress } from './catalog.js';

/** Loaded data is reused for requests in the same minute: an admin clicking through charts waits once. */
export const CONTEXT_REUSE_MS = 60_000;
const MAX_CONTEXTS = 4;

/** Contexts kept between calls (the worker keeps one); least recently made first. */
export type ContextCache = Map<string, StatsContext>;

function contextKey(request: ChartRequest, generation: number): string {
  return JSON.stringify([request.guildId, request.range, Math.floor(request.now / CONTEXT_REUSE_MS), [...(request.excludedUserIds ?? [])].sort(), generation]);
}

export interface ProduceOptions {
  /** Loaded data to reuse across calls (the render worker keeps one). */
  contexts?: ContextCache;
  /** Where specs are drawn; default on this thread. The render worker hands them to its draw worker. */
  draw?: Draw;
}

/**
 * Draws charts, sharing the loaded stays and the co-presence sweep between requests with the same
 * guild, range, exclusions and minute (the first request's "now" is used for all of them). Drawing
 * is not awaited before the next chart's aggregation starts, so with a draw worker the two overlap.
 * `onResult` fires as each chart is done (not necessarily in order); the returned list is in order.
 */
export async function produceCharts(db: Kysely<Database>, requests: readonly ChartRequest[], onResult: ChartProgress = () => {}, options: ProduceOptions = {}): Promise<ChartResult[]> {
  const contexts = options.contexts ?? new Map<string, StatsContext>();
  // Vega and resvg load only where drawing happens (not in the render worker's data thread).
  const draw: Draw = options.draw ?? (await import('./render.js')).renderSpec;
  const results: ChartResult[] = [];
  const drawing: Promise<void>[] = [];
  // Contexts made or refreshed by this call: names are read once per call, not once per minute.
  const fresh = new Set<StatsContext>();
  for (const [index, request] of requests.entries()) {
    const started = performance.now();
    const cpuStarted = threadCpuMs();
    const key = contextKey(request, await privacyGeneration(db, request.guildId));
    let ctx = contexts.get(key);
    if (!ctx) {
      ctx = new StatsContext(db, await resolveScope(db, request));
      contexts.set(key, ctx);
      for (const old of contexts.keys()) if (contexts.size > MAX_CONTEXTS) contexts.delete(old);
    } else if (!fresh.has(ctx)) {
      ctx.refreshNames();
    }
    fresh.add(ctx);
    const built = await BUILDERS[request.chart](ctx, request);
    const cpuEnded = threadCpuMs();
    const buildCpu = cpuEnded === undefined || cpuStarted === undefined ? undefined : cpuEnded - cpuStarted;
    if ('reason' in built) {
      results[index] = { ok: false, chart: request.chart, reason: built.reason };
      onResult(index, results[index], performance.now() - started, buildCpu);
      continue;
    }
    drawing.push(
      draw(built.spec).then(({ cpuMs: drawCpu, ...rendered }) => {
        // Drawn here: the thread's CPU already includes it; drawn elsewhere: add what the drawer spent.
        const cpuMs = buildCpu === undefined ? undefined : buildCpu + (options.draw ? (drawCpu ?? 0) : (threadCpuMs() ?? 0) - (cpuEnded ?? 0));
        results[index] = { ok: true, chart: request.chart, title: built.title, summary: built.summary, ...rendered };
        onResult(index, results[index], performance.now() - started, cpuMs);
      }),
    );
    // On this thread the draw already ran to its first await; settle it before the next chart.
    if (!options.draw) await drawing[drawing.length - 1];
  }
  await Promise.all(drawing);
  return results;
}
