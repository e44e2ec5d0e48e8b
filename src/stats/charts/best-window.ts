import { DateTime } from 'luxon';
import { membersPerSlot } from '../buckets.js';
import type { SlotTable } from '../slots.js';
import { THEME, titled, WEEKDAY_NAMES, type ChartBuilder } from './chart.js';

/** Average per weekday × hour: how many members on a typical such hour. Index (weekday-1)*24 + hour. */
export interface WeekGrid {
  present: Float64Array;
  available: Float64Array;
}

/**
 * Averages slot counts over how often each weekday × hour occurs in the window, so a range with
 * five Fridays and four Mondays compares fairly.
 */
export function weekGrid(table: SlotTable, presentPerSlot: Uint16Array, declared: readonly { date: string; hours: number }[]): WeekGrid {
  const occurrences = new Float64Array(7 * 24);
  const present = new Float64Array(7 * 24);
  const available = new Float64Array(7 * 24);
  const seenDates = new Set<string>();
  for (let i = 0; i < table.length; i++) {
    const cell = (table.weekdays[i]! - 1) * 24 + table.hours[i]!;
    present[cell] = present[cell]! + presentPerSlot[i]!;
    // The doubled fall-back hour is two slots of one date; it is still one occurrence.
    const key = `${table.dates[i]} ${table.hours[i]}`;
    if (!seenDates.has(key)) {
      seenDates.add(key);
      occurrences[cell] = occurrences[cell]! + 1;
    }
  }
  const weekdayOfDate = new Map<string, number>();
  // One row per member and calendar date (a message's after-midnight hours already moved to the
  // next day by `declaredDays`), hours as bits: each set bit is one member available that hour.
  for (const d of declared) {
    let wd = weekdayOfDate.get(d.date);
    if (wd === undefined) weekdayOfDate.set(d.date, (wd = DateTime.fromISO(d.date).weekday));
    for (let hour = 0; hour < 24; hour++) {
      if ((d.hours & (1 << hour)) === 0) continue;
      const cell = (wd - 1) * 24 + hour;
      available[cell] = available[cell]! + 1;
    }
  }
  for (let c = 0; c < 7 * 24; c++) {
    const n = occurrences[c]!;
    present[c] = n ? present[c]! / n : 0;
    available[c] = n ? available[c]! / n : 0;
  }
  return { present, available };
}

const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

/** Chart 9: a day × hour heatmap of how many members are usually available (declared) and present. */
export const bestWindowChart: ChartBuilder = async (ctx, request) => {
  const { scope } = ctx;
  const table = await ctx.slots();
  if (table.length === 0) return { reason: 'This period has no hours in it yet.' };
  const grid = weekGrid(table, membersPerSlot(await ctx.playing(), table), await ctx.declared());
  const values: { panel: string; day: string; hour: string; members: number }[] = [];
  let best = { panel: '', day: '', hour: '', members: 0 };
  for (const [panel, data] of [
    ['usually available (declared)', grid.available],
    ['usually present (in voice)', grid.present],
  ] as const) {
    for (let c = 0; c < 7 * 24; c++) {
      const v = { panel, day: WEEKDAY_NAMES[Math.floor(c / 24)]!, hour: hh(c % 24), members: Math.round(data[c]! * 10) / 10 };
      values.push(v);
      if (panel.startsWith('usually present') && v.members > best.members) best = v;
    }
  }
  if (values.every((v) => v.members === 0)) return { reason: 'Nobody has declared hours or been in voice in this period yet.' };
  const bestAvailable = values.filter((v) => v.panel.startsWith('usually available')).reduce((a, v) => (v.members > a.members ? v : a));
  const title = titled('Best window to play', request, scope);
  const summary =
    best.members > 0
      ? `Most members in voice: ${best.day} ${best.hour} (${best.members} on average). Most declared: ${bestAvailable.day} ${bestAvailable.hour} (${bestAvailable.members}).`
      : `Most declared: ${bestAvailable.day} ${bestAvailable.hour} (${bestAvailable.members} on average); nobody in voice yet.`;
  return {
    title: title.text,
    summary,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { ...title, subtitle: `${title.subtitle} · average members per hour` },
      config: { ...THEME, axis: { ...THEME.axis, labelFontSize: 11 } },
      data: { values },
      facet: { column: { field: 'panel', type: 'nominal', title: null, header: { labelFontSize: 14, labelFontWeight: 600 } } },
      spec: {
        width: 500,
        height: 210,
        layer: [
          {
            mark: { type: 'rect' },
            encoding: {
              color: { field: 'members', type: 'quantitative', title: 'members (avg)', scale: { scheme: 'blues' }, legend: { orient: 'right' } },
            },
          },
        ],
        encoding: {
          x: { field: 'hour', type: 'ordinal', title: 'Hour of the day', axis: { labelAngle: -90 } },
          y: { field: 'day', type: 'ordinal', sort: [...WEEKDAY_NAMES], title: 'Day' },
        },
      },
      resolve: { scale: { color: 'shared' } },
    },
  };
};
