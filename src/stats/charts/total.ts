import { voiceTotals } from '../queries.js';
import { hours, THEME, titled, TOP_N, uniqueLabels, type ChartBuilder } from './chart.js';

/** Chart 3: total non-AFK voice time per member in the window, most first (top {@link TOP_N}). */
export const totalChart: ChartBuilder = async (ctx, request) => {
  const totals = (await voiceTotals(ctx.db, ctx.scope)).filter((t) => t.ms > 0);
  if (totals.length === 0) return { reason: 'Nobody has spent time in voice (outside AFK) in this period yet.' };
  const shown = totals.slice(0, TOP_N);
  const labels = uniqueLabels(shown.map((t) => t.userId), await ctx.names());
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
