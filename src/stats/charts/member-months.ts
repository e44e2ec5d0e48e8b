import { DateTime } from 'luxon';
import type { Stay } from '../queries.js';
import { hours, THEME, titled, uniqueLabels, type ChartBuilder } from './chart.js';

/** How many members' lines one picture holds before the colours stop being told apart. */
export const MEMBER_MONTHS_TOP = 8;

/**
 * Non-AFK voice time per member per local calendar month (`yyyy-MM`), months oldest first and every
 * month of the window listed (a month without voice is a 0, so a line drops instead of skipping it).
 * Stays are cut at the months' local midnights, found once with Luxon: a stay is walked over the few
 * month bounds it crosses, not hour by hour.
 */
export function monthsPerMember(stays: readonly Stay[], zone: string, from: number, to: number): { months: string[]; byUser: Map<string, Float64Array> } {
  const months: string[] = [];
  const bounds: number[] = [];
  let month = DateTime.fromMillis(from, { zone }).startOf('month');
  while (month.toMillis() < to) {
    months.push(month.toFormat('yyyy-MM'));
    bounds.push(month.toMillis());
    month = month.plus({ months: 1 }).startOf('month');
  }
  bounds.push(month.toMillis());
  const byUser = new Map<string, Float64Array>();
  for (const s of stays) {
    if (s.afk || s.end <= s.start) continue;
    let row = byUser.get(s.userId);
    if (!row) byUser.set(s.userId, (row = new Float64Array(months.length)));
    // The last month starting at or before the stay's start (binary search; stays are clipped to the window).
    let lo = 0;
    let hi = months.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bounds[mid]! <= s.start) lo = mid;
      else hi = mid - 1;
    }
    for (let i = lo; i < months.length && bounds[i]! < s.end; i++) {
      const ms = Math.min(s.end, bounds[i + 1]!) - Math.max(s.start, bounds[i]!);
      if (ms > 0) row[i] = row[i]! + ms;
    }
  }
  return { months, byUser };
}

/**
 * Hours per month per member: one line for each of the {@link MEMBER_MONTHS_TOP} members with the
 * most voice time in the window, so an admin sees who is playing less month after month (the seed's
 * "hours per month per user"). Totals only: no stay is shown.
 */
export const memberMonthsChart: ChartBuilder = async (ctx, request) => {
  const { scope } = ctx;
  const { months, byUser } = monthsPerMember(await ctx.playing(), scope.zone, scope.from, scope.now);
  const totals = [...byUser]
    .map(([userId, row]) => ({ userId, row, ms: row.reduce((a, v) => a + v, 0) }))
    .filter((t) => t.ms > 0)
    .sort((a, b) => b.ms - a.ms || a.userId.localeCompare(b.userId));
  if (totals.length === 0) return { reason: 'Nobody has spent time in voice (outside AFK) in this period yet.' };
  const shown = totals.slice(0, MEMBER_MONTHS_TOP);
  const labels = uniqueLabels(
    shown.map((t) => t.userId),
    await ctx.names(),
  );
  const order = shown.map((t) => labels.get(t.userId)!);
  const values = shown.flatMap((t) => months.map((month, i) => ({ member: labels.get(t.userId)!, month, hours: hours(t.row[i]!) })));
  const titleParts = titled('Hours per month per member', request, scope);
  // The window rarely starts on the 1st, and this month is not over: say so, or they read as drops.
  const title = { ...titleParts, subtitle: `${titleParts.subtitle} · the first and last months are partial` };
  const last = months.length - 1;
  const busiestNow = [...shown].sort((a, b) => b.row[last]! - a.row[last]!)[0]!;
  return {
    title: title.text,
    summary:
      `The ${shown.length} member(s) with the most voice time${totals.length > shown.length ? ` (of ${totals.length})` : ''}, hours per month; ` +
      `${months[last]}: ${labels.get(busiestNow.userId)} leads with ${hours(busiestNow.row[last]!)} h.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title,
      config: THEME,
      width: Math.max(360, Math.min(900, months.length * 64)),
      height: 340,
      data: { values },
      mark: { type: 'line', point: { size: 40 }, strokeWidth: 2 },
      encoding: {
        x: { field: 'month', type: 'ordinal', title: 'Month', axis: { labelAngle: months.length > 12 ? -45 : 0 } },
        y: { field: 'hours', type: 'quantitative', title: 'Hours in voice (AFK excluded)' },
        color: { field: 'member', type: 'nominal', sort: order, title: 'Member', scale: { scheme: 'category10' } },
      },
    },
  };
};
