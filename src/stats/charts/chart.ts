import { DateTime } from 'luxon';
import type { TopLevelSpec } from 'vega-lite';
import { RANGE_LABELS, type ChartRequest } from '../catalog.js';
import type { StatsContext } from '../context.js';
import type { StatsScope } from '../scope.js';

/** A chart ready to render: its Vega-Lite spec plus the words that go with it in Discord. */
export interface ChartSpec {
  title: string;
  /** One or two lines of text posted with the picture (and the alt text of the CLI's output). */
  summary: string;
  spec: TopLevelSpec;
}

/** Nothing worth drawing, and why, in words a member understands. */
export interface NotEnoughData {
  reason: string;
}

/** A chart builder: aggregates from the context, returns a spec or why there is none. */
export type ChartBuilder = (ctx: StatsContext, request: ChartRequest) => Promise<ChartSpec | NotEnoughData>;

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const hours = (ms: number, digits = 1) => Math.round((ms / HOUR_MS) * 10 ** digits) / 10 ** digits;

/** "Total voice time · last 30 days", and the dates and zone it covers. */
export function titled(what: string, request: ChartRequest, scope: StatsScope): { text: string; subtitle: string } {
  const day = (ms: number) => DateTime.fromMillis(ms, { zone: scope.zone }).toISODate();
  return { text: `${what} · ${RANGE_LABELS[request.range]}`, subtitle: `${day(scope.from)} → ${day(scope.now)} · times in ${scope.zone}` };
}

export const WEEKDAY_NAMES = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

/** Long names are cut so axes stay readable. */
export function shortName(name: string, max = 24): string {
  return name.length > max ? `${name.slice(0, max - 1)}…` : name;
}

/** Shared look: Inter everywhere (the font shipped to the renderer), white background, readable sizes. */
export const THEME = {
  font: 'Inter',
  background: 'white',
  padding: 16,
  title: { fontSize: 18, fontWeight: 600, subtitleFontSize: 12, subtitleColor: '#555', anchor: 'start', offset: 12 },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 600, labelLimit: 220 },
  legend: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 600, labelLimit: 240 },
  view: { stroke: null },
  bar: { color: '#5865F2' },
} as const;

/** Display names for axis labels, unique (two "Alex" become "Alex (…1234)" and "Alex (…5678)"). */
export function uniqueLabels(userIds: readonly string[], names: ReadonlyMap<string, string>): Map<string, string> {
  const base = new Map(userIds.map((id) => [id, shortName(names.get(id) ?? id)]));
  const counts = new Map<string, number>();
  for (const label of base.values()) counts.set(label, (counts.get(label) ?? 0) + 1);
  return new Map([...base].map(([id, label]) => [id, (counts.get(label) ?? 0) > 1 ? `${label} (…${id.slice(-4)})` : label]));
}

/** How many bars a ranking shows before the picture stops being readable. */
export const TOP_N = 30;
