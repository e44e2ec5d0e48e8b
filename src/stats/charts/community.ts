import { DEFAULT_MIN_PAIR_MS } from '../catalog.js';
import { communityLayout } from '../community.js';
import { hours, THEME, titled, uniqueLabels, type ChartBuilder } from './chart.js';

/** Colours for the largest communities; the rest share one grey. */
const PALETTE = ['#5865F2', '#ED4245', '#57F287', '#FEE75C', '#EB459E', '#F47B67', '#3BA55C', '#9B59B6', '#1ABC9C', '#E67E22'];
const MAX_LABELS = 45;
const WIDTH = 900;
const HEIGHT = 680;

/**
 * Names for the members with the most time together first, skipping any whose label would
 * overlap one already placed (boxes estimated from the font size), so every name shown is legible.
 */
function placeLabels(ranked: readonly { userId: string; x: number; y: number }[], labels: ReadonlyMap<string, string>, width: number, height: number): Set<string> {
  const xs = ranked.map((n) => n.x);
  const ys = ranked.map((n) => n.y);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const px = (x: number) => ((x - minX) / (maxX - minX || 1)) * width;
  const py = (y: number) => ((y - minY) / (maxY - minY || 1)) * height;
  const boxes: [number, number, number, number][] = [];
  const placed = new Set<string>();
  for (const n of ranked) {
    if (placed.size >= MAX_LABELS) break;
    const w = 6.6 * (labels.get(n.userId) ?? '').length + 6;
    const box: [number, number, number, number] = [px(n.x) - w / 2, py(n.y) - 20, px(n.x) + w / 2, py(n.y) - 4];
    if (boxes.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3])) continue;
    boxes.push(box);
    placed.add(n.userId);
  }
  return placed;
}
const MAX_EDGES = 900;

/** Chart 1: members linked by time together, communities (Louvain) coloured, ForceAtlas2 layout. */
export const communityChart: ChartBuilder = async (ctx, request) => {
  const min = request.minPairMs ?? DEFAULT_MIN_PAIR_MS;
  const layout = communityLayout(await ctx.pairs(), min);
  if (layout.nodes.length < 3) return { reason: `Not enough play together yet: the graph needs at least 3 members with ${hours(min)} h or more together.` };
  const labels = uniqueLabels(
    layout.nodes.map((n) => n.userId),
    await ctx.names(),
  );
  const ranked = [...layout.nodes].sort((a, b) => b.hours - a.hours);
  // Each community is named after its member with the most time together.
  const leader = new Map<number, string>();
  for (const n of ranked) if (!leader.has(n.community)) leader.set(n.community, labels.get(n.userId)!);
  const groupName = (c: number) => (c < PALETTE.length ? `${leader.get(c)}'s group (${layout.sizes[c]})` : 'smaller groups');
  const groups = [...new Set(layout.sizes.map((_, c) => groupName(c)))];
  const labelled = placeLabels(ranked, labels, WIDTH, HEIGHT);
  const at = new Map(layout.nodes.map((n) => [n.userId, n]));
  const edges = [...layout.edges].sort((a, b) => b.hours - a.hours).slice(0, MAX_EDGES);
  const nodeValues = layout.nodes.map((n) => ({ x: n.x, y: n.y, hours: Math.round(n.hours), group: groupName(n.community), name: labelled.has(n.userId) ? labels.get(n.userId)! : '' }));
  const edgeValues = edges.map((e) => ({ x: at.get(e.a)!.x, y: at.get(e.a)!.y, x2: at.get(e.b)!.x, y2: at.get(e.b)!.y, hours: e.hours }));
  const title = titled('Who plays with whom', request, ctx.scope);
  const axis = {
    x: { field: 'x', type: 'quantitative', axis: null, scale: { zero: false, nice: false } },
    y: { field: 'y', type: 'quantitative', axis: null, scale: { zero: false, nice: false } },
  } as const;
  return {
    title: title.text,
    summary: `${layout.nodes.length} members in ${layout.sizes.length} group(s) (Louvain modularity ${layout.modularity.toFixed(2)}); links = at least ${hours(min)} h together in the same channel.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: title.text,
        subtitle: `${layout.nodes.length} members · a link = ${hours(min)} h+ in the same channel · closer = more time together · dot size = hours together · colour = group`,
      },
      config: THEME,
      width: WIDTH,
      height: HEIGHT,
      layer: [
        {
          data: { values: edgeValues },
          mark: { type: 'rule', color: '#99AAB5' },
          encoding: {
            ...axis,
            x2: { field: 'x2' },
            y2: { field: 'y2' },
            strokeWidth: { field: 'hours', type: 'quantitative', scale: { range: [0.4, 4] }, legend: null },
            opacity: { field: 'hours', type: 'quantitative', scale: { range: [0.15, 0.6] }, legend: null },
          },
        },
        {
          data: { values: nodeValues },
          mark: { type: 'circle', opacity: 0.9, stroke: 'white', strokeWidth: 1 },
          encoding: {
            ...axis,
            size: { field: 'hours', type: 'quantitative', title: 'hours together', scale: { range: layout.nodes.length > 150 ? [15, 220] : [30, 700] }, legend: null },
            color: { field: 'group', type: 'nominal', title: 'Group', scale: { domain: groups, range: groups.map((g, i) => (g === 'smaller groups' ? '#B9BBBE' : PALETTE[i]!)) } },
          },
        },
        {
          data: { values: nodeValues.filter((n) => n.name !== '') },
          mark: { type: 'text', dy: -12, fontSize: 11, fontWeight: 600, color: '#222' },
          encoding: { ...axis, text: { field: 'name', type: 'nominal' } },
        },
      ],
    },
  };
};
