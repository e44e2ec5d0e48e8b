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
import { resolveScope } from './scope.js';

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

/** Where the time of one chart went, for the benchmark. */
export interface ChartTiming {
  chart: ChartName;
  ms: number;
}

/**
 * Draws charts of one guild, sharing the loaded stays and the co-presence sweep between requests
 * with the same guild, range, clock and exclusions. `onResult` fires as each chart is done.
 */
export async function produceCharts(
  db: Kysely<Database>,
  requests: readonly ChartRequest[],
  onResult: (index: number, result: ChartResult, ms: number) => void = () => {},
): Promise<ChartResult[]> {
  const contexts = new Map<string, StatsContext>();
  const results: ChartResult[] = [];
  for (const [index, request] of requests.entries()) {
    const started = performance.now();
    const key = JSON.stringify([request.guildId, request.range, request.now, [...(request.excludedUserIds ?? [])].sort()]);
    let ctx = contexts.get(key);
    if (!ctx) contexts.set(key, (ctx = new StatsContext(db, await resolveScope(db, request))));
    const built = await BUILDERS[request.chart](ctx, request);
    let result: ChartResult;
    if ('reason' in built) result = { ok: false, chart: request.chart, reason: built.reason };
    else {
      const rendered = await renderSpec(built.spec);
      result = { ok: true, chart: request.chart, title: built.title, summary: built.summary, ...rendered };
    }
    results.push(result);
    onResult(index, result, performance.now() - started);
  }
  return results;
}
