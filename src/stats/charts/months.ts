import { groupSlots } from '../buckets.js';
import { hours, THEME, titled, type ChartBuilder } from './chart.js';

/** Chart 6: voice hours per local calendar month, oldest first. */
export const monthsChart: ChartBuilder = async (ctx, request) => {
  const table = await ctx.slots();
  const perSlot = await ctx.timePerSlot();
  const byMonth = groupSlots(perSlot, (i) => table.months[i]!);
  const values = [...byMonth].map(([month, ms]) => ({ month, hours: hours(ms) }));
  const total = values.reduce((a, v) => a + v.hours, 0);
  if (total === 0) return { reason: 'Nobody has spent time in voice (outside AFK) in this period yet.' };
  const best = values.reduce((a, v) => (v.hours > a.hours ? v : a));
  const title = titled('Voice hours per month', request, ctx.scope);
  return {
    title: title.text,
    summary: `Busiest month: ${best.month} with ${best.hours} h; ${Math.round(total)} h in all.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title,
      config: THEME,
      width: Math.max(320, Math.min(900, values.length * 56)),
      height: 320,
      data: { values },
      layer: [
        { mark: { type: 'bar', cornerRadiusEnd: 3, color: '#57F287' } },
        { mark: { type: 'text', dy: -8, fontSize: 11 }, encoding: { text: { field: 'hours', type: 'quantitative', format: '.0f' } } },
      ],
      encoding: {
        x: { field: 'month', type: 'ordinal', title: 'Month', axis: { labelAngle: values.length > 12 ? -45 : 0 } },
        y: { field: 'hours', type: 'quantitative', title: 'Hours in voice (all members)' },
      },
    },
  };
};
