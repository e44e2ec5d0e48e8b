import { voiceTotals, type Stay } from '../queries.js';
import { hours, THEME, titled, TOP_N, uniqueLabels, type ChartBuilder } from './chart.js';

/** Voice time per member from stays already in memory, most first (same answer as {@link voiceTotals}). */
export function totalsOf(stays: readonly Stay[]): { userId: string; ms: number }[] {
  const byUser = new Map<string, number>();
  for (const s of stays) if (!s.afk) byUser.set(s.userId, (byUser.get(s.userId) ?? 0) + s.end - s.start);
  return [...byUser].map(([userId, ms]) => ({ userId, ms })).sort((a, b) => b.ms - a.ms || a.userId.localeCompare(b.userId));
}

/**
 * Chart 3: total non-AFK voice time per member in the window, most first (top {@link TOP_N}).
 * Asked alone, SQL sums it without moving a row; in a batch whose stays are already loaded, they
 * are summed instead of scanning the table again.
 */
export const totalChart: ChartBuilder = async (ctx, request) => {
  const all = ctx.has('playing') ? totalsOf(await ctx.playing()) : await voiceTotals(ctx.db, ctx.scope);
  const totals = all.filter((t) => t.ms > 0);
  if (totals.length === 0) return { reason: 'Nobody has spent time in voice (outside AFK) in this period yet.' };
  const shown = totals.slice(0, TOP_N);
  const labels = uniqueLabels(
    shown.map((t) => t.userId),
    await ctx.names(),
  );
  const values = shown.map((t) => ({ member: labels.get(t.userId)!, hours: hours(t.ms) }));
  const sum = totals.reduce((acc, t) => acc + t.ms, 0);
  const title = titled('Total voice time', request, ctx.scope);
  return {
    title: title.text,
    summary: `${totals.length} member(s), ${hours(sum, 0)} h in voice in all${totals.length > TOP_N ? ` (top ${TOP_N} shown)` : ''}.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title,
      config: THEME,
      width: 640,
      height: { step: 22 },
      data: { values },
      layer: [
        { mark: { type: 'bar', cornerRadiusEnd: 3 } },
        { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 }, encoding: { text: { field: 'hours', type: 'quantitative', format: '.1f' } } },
      ],
      encoding: {
        y: { field: 'member', type: 'nominal', sort: values.map((v) => v.member), title: 'Member' },
        x: { field: 'hours', type: 'quantitative', title: 'Hours in voice (AFK excluded)' },
      },
    },
  };
};
