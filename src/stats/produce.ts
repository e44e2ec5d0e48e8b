import type { Kysely } from 'kysely';
import type { Database } from '../shared/db/schema.js';
import type { ChartName, ChartRequest, ChartResult } from './catalog.js';
import { bestWindowChart } from './charts/best-window.js';
import type { ChartBuilder } from './charts/chart.js';
import { communityChart } from './charts/community.js';
import { duosChart } from './charts/duos.js';
import { inactiveChart } from './charts/inactive.js';
import { monthsChart } from './charts/months.js';
import { reliabilityChart } from './charts/reliability.js';
import { timelineChart } from './charts/timeline.js';
import { totalChart } from './charts/total.js';
import { weekdaysChart } from './charts/weekdays.js';
import { StatsContext } from './context.js';
import { renderSpec } from './render.js';
import { privacyGeneration, resolveScope } from './scope.js';
import { threadCpuMs } from './thread-cpu.js';

export const BUILDERS: Readonly<Record<ChartName, ChartBuilder>> = {
  community: communityChart,
  duos: duosChart,
  total: totalChart,
  inactive: inactiveChart,
  weekdays: weekdaysChart,
  months: monthsChart,
  timeline: timelineChart,
  reliability: reliabilityChart,
  'best-window': bestWindowChart,
};

/** Called as each chart is done: wall time, and CPU time of the drawing thread where known. */
export type ChartProgress = (index: number, result: ChartResult, ms: number, cpuMs?: number) => void;

/** Loaded data is reused for requests in the same minute: an admin clicking through charts waits once. */
export const CONTEXT_REUSE_MS = 60_000;
const MAX_CONTEXTS = 4;

/** Contexts kept between calls (the worker keeps one); least recently made first. */
export type ContextCache = Map<string, StatsContext>;

function contextKey(request: ChartRequest, generation: number): string {
  return JSON.stringify([request.guildId, request.range, Math.floor(request.now / CONTEXT_REUSE_MS), [...(request.excludedUserIds ?? [])].sort(), generation]);
}

/**
 * Draws charts, sharing the loaded stays and the co-presence sweep between requests with the same
 * guild, range, exclusions and minute (the first request's "now" is used for all of them).
 * `onResult` fires as each chart is done.
 */
export async function produceCharts(
  db: Kysely<Database>,
  requests: readonly ChartRequest[],
  onResult: ChartProgress = () => {},
  contexts: ContextCache = new Map(),
): Promise<ChartResult[]> {
  const results: ChartResult[] = [];
  for (const [index, request] of requests.entries()) {
    const started = performance.now();
    const cpuStarted = threadCpuMs();
    const key = contextKey(request, await privacyGeneration(db, request.guildId));
    let ctx = contexts.get(key);
    if (!ctx) {
      ctx = new StatsContext(db, await resolveScope(db, request));
      contexts.set(key, ctx);
      for (const old of contexts.keys()) if (contexts.size > MAX_CONTEXTS) contexts.delete(old);
    }
    const built = await BUILDERS[request.chart](ctx, request);
    let result: ChartResult;
    if ('reason' in built) result = { ok: false, chart: request.chart, reason: built.reason };
    else {
      const rendered = await renderSpec(built.spec);
      result = { ok: true, chart: request.chart, title: built.title, summary: built.summary, ...rendered };
    }
    results.push(result);
    const cpu = threadCpuMs();
    onResult(index, result, performance.now() - started, cpu === undefined || cpuStarted === undefined ? undefined : cpu - cpuStarted);
  }
  return results;
}
