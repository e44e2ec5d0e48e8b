import { DateTime } from 'luxon';
import type { Stay } from '../queries.js';
import { DAY_MS, THEME, TOP_N, uniqueLabels, type ChartBuilder } from './chart.js';

const WEEK_MS = 7 * DAY_MS;
/** "Lately": the last four weeks, up to now. */
export const RECENT_DAYS = 28;
/** The weeks before must span at least this long, or a holiday reads as drifting away. */
export const MIN_BASELINE_DAYS = 28;
/** Members who averaged less than this before are left out: 20 minutes down to 0 is not a trend. */
export const MIN_BASELINE_MS_PER_WEEK = 30 * 60_000;

export interface Drift {
  userId: string;
  /** Average non-AFK voice time per week before the last four weeks (ms). */
  beforePerWeek: number;
  /** Average per week over the last four weeks (ms). */
  recentPerWeek: number;
  /** How much lower the recent average is, as a fraction of the one before (1 = stopped coming). */
  fall: number;
}

/**
 * Members whose last four weeks fell below their own weekly average of the weeks before them (the
 * window's start up to `recentStart`), the steepest fall first (then the most hours lost). Each
 * member is compared with themselves only, so a casual player who stops shows as well as a regular.
 */
export function drifting(stays: readonly Stay[], from: number, recentStart: number, now: number): Drift[] {
  const before = new Map<string, number>();
  const recent = new Map<string, number>();
  for (const s of stays) {
    if (s.afk) continue;
    const early = Math.min(s.end, recentStart) - Math.max(s.start, from);
    if (early > 0) before.set(s.userId, (before.get(s.userId) ?? 0) + early);
    const late = Math.min(s.end, now) - Math.max(s.start, recentStart);
    if (late > 0) recent.set(s.userId, (recent.get(s.userId) ?? 0) + late);
  }
  const beforeWeeks = (recentStart - from) / WEEK_MS;
  const recentWeeks = (now - recentStart) / WEEK_MS;
  const out: Drift[] = [];
  for (const [userId, ms] of before) {
    const beforePerWeek = ms / beforeWeeks;
    if (beforePerWeek < MIN_BASELINE_MS_PER_WEEK) continue;
    const recentPerWeek = (recent.get(userId) ?? 0) / recentWeeks;
    if (recentPerWeek >= beforePerWeek) continue;
    out.push({ userId, beforePerWeek, recentPerWeek, fall: 1 - recentPerWeek / beforePerWeek });
  }
  return out.sort((a, b) => b.fall - a.fall || b.beforePerWeek - b.recentPerWeek - (a.beforePerWeek - a.recentPerWeek) || a.userId.localeCompare(b.userId));
}

const perWeek = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;

/**
 * Who is drifting away: for each member, hours per week over the last four weeks against their own
 * weekly average of the rest of the range (the seed's "who is drifting away", from its hours per
 * month per user). Averages only: no stay is shown.
 */
export const driftingChart: ChartBuilder = async (ctx, request) => {
  const { scope } = ctx;
  const day = (ms: number) => DateTime.fromMillis(ms, { zone: scope.zone }).toISODate();
  // Four weeks back on the local clock (the same wall time, 28 local days ago).
  const recentStart = DateTime.fromMillis(scope.now, { zone: scope.zone }).minus({ days: RECENT_DAYS }).toMillis();
  if (recentStart - scope.from < MIN_BASELINE_DAYS * DAY_MS - 2 * 3_600_000) {
    const since = request.range === 'all' ? ` (voice history here starts ${day(scope.from)})` : '';
    return { reason: `Drifting compares the last 4 weeks with at least 4 weeks before them${since}: pick a range of 90 days or more.` };
  }
  const drifts = drifting(await ctx.playing(), scope.from, recentStart, scope.now);
  if (drifts.length === 0) return { reason: `Nobody who played at least ${MIN_BASELINE_MS_PER_WEEK / 60_000} minutes a week before has played less in the last 4 weeks. 🎉` };
  const shown = drifts.slice(0, TOP_N);
  const labels = uniqueLabels(
    shown.map((d) => d.userId),
    await ctx.names(),
  );
  const values = shown.map((d) => ({
    member: labels.get(d.userId)!,
    before: perWeek(d.beforePerWeek),
    recent: perWeek(d.recentPerWeek),
    fall: `−${Math.round(d.fall * 100)} %`,
  }));
  const order = values.map((v) => v.member);
  const top = shown[0]!;
  return {
    title: 'Drifting away: the last 4 weeks against their own average',
    summary:
      `${drifts.length} member(s) played less in the last 4 weeks than their weekly average before${drifts.length > TOP_N ? ` (top ${TOP_N} shown)` : ''}; ` +
      `steepest: ${labels.get(top.userId)}, ${perWeek(top.beforePerWeek)} → ${perWeek(top.recentPerWeek)} h/week.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: 'Drifting away: the last 4 weeks against their own average',
        subtitle: `hours per week, ${day(recentStart)} → ${day(scope.now)} against ${day(scope.from)} → ${day(recentStart)} · times in ${scope.zone}`,
      },
      config: THEME,
      width: 600,
      height: { step: 24 },
      data: { values },
      encoding: { y: { field: 'member', type: 'nominal', sort: order, title: 'Member' } },
      layer: [
        { mark: { type: 'rule', color: '#B9BBBE', strokeWidth: 3 }, encoding: { x: { field: 'recent', type: 'quantitative' }, x2: { field: 'before' } } },
        {
          transform: [
            { fold: ['before', 'recent'], as: ['period', 'perWeek'] },
            { calculate: "datum.period === 'before' ? 'average before' : 'last 4 weeks'", as: 'when' },
          ],
          mark: { type: 'point', filled: true, size: 90, opacity: 1 },
          encoding: {
            x: { field: 'perWeek', type: 'quantitative', title: 'Hours in voice per week (AFK excluded)' },
            color: { field: 'when', type: 'nominal', title: null, scale: { domain: ['average before', 'last 4 weeks'], range: ['#99AAB5', '#ED4245'] }, legend: { orient: 'bottom' } },
          },
        },
        { mark: { type: 'text', align: 'left', dx: 8, fontSize: 11, color: '#222' }, encoding: { x: { field: 'before', type: 'quantitative' }, text: { field: 'fall' } } },
      ],
    },
  };
};
