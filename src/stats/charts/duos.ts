import { DEFAULT_MIN_PAIR_MS } from '../catalog.js';
import { hours, THEME, titled, uniqueLabels, type ChartBuilder } from './chart.js';

const TOP_DUOS = 20;

/** Chart 2: the pairs with the most time in the same channel at the same time. */
export const duosChart: ChartBuilder = async (ctx, request) => {
  const min = request.minPairMs ?? DEFAULT_MIN_PAIR_MS;
  const pairs = (await ctx.pairs()).filter((p) => p.ms >= min);
  if (pairs.length === 0) return { reason: `No two members have played together for ${hours(min)} h or more in this period yet.` };
  const shown = pairs.slice(0, TOP_DUOS);
  const labels = uniqueLabels([...new Set(shown.flatMap((p) => [p.a, p.b]))], await ctx.names());
  const values = shown.map((p) => {
    const [x, y] = [labels.get(p.a)!, labels.get(p.b)!].sort((l, r) => l.localeCompare(r));
    return { duo: `${x} + ${y}`, hours: hours(p.ms) };
  });
  const title = titled('Top duos: time together in voice', request, ctx.scope);
  const best = values[0]!;
  return {
    title: title.text,
    summary: `Closest duo: ${best.duo} with ${best.hours} h together. ${pairs.length} pair(s) above ${hours(min)} h.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title,
      config: THEME,
      width: 600,
      height: { step: 24 },
      data: { values },
      layer: [
        { mark: { type: 'bar', cornerRadiusEnd: 3, color: '#EB459E' } },
        { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 }, encoding: { text: { field: 'hours', type: 'quantitative', format: '.1f' } } },
      ],
      encoding: {
        y: { field: 'duo', type: 'nominal', sort: values.map((v) => v.duo), title: 'Pair of members', axis: { labelLimit: 360 } },
        x: { field: 'hours', type: 'quantitative', title: 'Hours together in the same channel' },
      },
    },
  };
};
