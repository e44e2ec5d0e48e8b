import { groupSlots } from '../buckets.js';
import { hours, THEME, titled, WEEKDAY_NAMES, type ChartBuilder } from './chart.js';

/** Chart 5: voice hours per local weekday (Monday first). */
export const weekdaysChart: ChartBuilder = async (ctx, request) => {
  const table = await ctx.slots();
  const perSlot = await ctx.timePerSlot();
  const byDay = groupSlots(perSlot, (i) => table.weekdays[i]!);
  const values = WEEKDAY_NAMES.map((day, i) => ({ day, hours: hours(byDay.get(i + 1) ?? 0) }));
  const total = values.reduce((a, v) => a + v.hours, 0);
  if (total === 0) return { reason: 'Nobody has spent time in voice (outside AFK) in this period yet.' };
  const best = values.reduce((a, v) => (v.hours > a.hours ? v : a));
  const title = titled('Voice hours by day of the week', request, ctx.scope);
  return {
    title: title.text,
    summary: `Busiest day: ${best.day} with ${best.hours} h of ${Math.round(total)} h in voice.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title,
      config: THEME,
      width: 560,
      height: 320,
      data: { values },
      layer: [{ mark: { type: 'bar', cornerRadiusEnd: 3 } }, { mark: { type: 'text', dy: -8, fontSize: 11 }, encoding: { text: { field: 'hours', type: 'quantitative', format: '.0f' } } }],
      encoding: {
        x: { field: 'day', type: 'ordinal', sort: [...WEEKDAY_NAMES], title: 'Day of the week', axis: { labelAngle: 0 } },
        y: { field: 'hours', type: 'quantitative', title: 'Hours in voice (all members)' },
      },
    },
  };
};
