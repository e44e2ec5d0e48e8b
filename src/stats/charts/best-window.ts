import { DateTime } from 'luxon';
import { turnoutModelFor } from '../../shared/services/turnout-forecast.js';
import { membersPerSlot } from '../buckets.js';
import type { SlotTable } from '../slots.js';
import { THEME, titled, WEEKDAY_NAMES, type ChartBuilder } from './chart.js';

/** Average per weekday × hour: how many members on a typical such hour. Index (weekday-1)*24 + hour. */
export interface WeekGrid {
  present: Float64Array;
  available: Float64Array;
  /** The turnout forecast: of those declared, how many likely in voice (Σ of each one's chance). */
  likely: Float64Array;
}

/**
 * Averages slot counts over how often each weekday × hour occurs in the window, so a range with
 * five Fridays and four Mondays compares fairly. `chance` (the turnout model's) weighs each
 * declared member by how likely they are to show up that weekday; without it `likely` stays 0.
 */
export function weekGrid(
  table: SlotTable,
  presentPerSlot: Uint16Array,
  declared: readonly { userId: string; date: string; hours: number }[],
  chance?: (userId: string, weekday: number) => number,
): WeekGrid {
  const occurrences = new Float64Array(7 * 24);
  const present = new Float64Array(7 * 24);
  const available = new Float64Array(7 * 24);
  const likely = new Float64Array(7 * 24);
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
    const p = chance ? chance(d.userId, wd) : 0;
    for (let hour = 0; hour < 24; hour++) {
      if ((d.hours & (1 << hour)) === 0) continue;
      const cell = (wd - 1) * 24 + hour;
      available[cell] = available[cell]! + 1;
      likely[cell] = likely[cell]! + p;
    }
  }
  for (let c = 0; c < 7 * 24; c++) {
    const n = occurrences[c]!;
    present[c] = n ? present[c]! / n : 0;
    available[c] = n ? available[c]! / n : 0;
    likely[c] = n ? likely[c]! / n : 0;
  }
  return { present, available, likely };
}

const hh = (h: number) => `${String(h).padStart(2, '0')}:00`;

const AVAILABLE = 'usually available (declared)';
const LIKELY = 'likely in voice (forecast)';
const PRESENT = 'usually present (in voice)';

/**
 * Chart 9: a day × hour heatmap of how many members are usually available (declared) and present,
 * and between them the turnout forecast: of those declared, how many likely come, from each one's
 * said-vs-showed record (the model the daily message's "likely N" uses, as of today).
 */
export const bestWindowChart: ChartBuilder = async (ctx, request) => {
  const { scope } = ctx;
  const table = await ctx.slots();
  if (table.length === 0) return { reason: 'This period has no hours in it yet.' };
  const today = DateTime.fromMillis(scope.now, { zone: scope.zone }).toISODate()!;
  const model = await turnoutModelFor(ctx.db, { guildId: scope.guildId, zone: scope.zone, date: today, now: scope.now, excluded: scope.excluded });
  const grid = weekGrid(table, membersPerSlot(await ctx.playing(), table), await ctx.declared(), model ? (user, weekday) => model.probability(user, weekday) : undefined);
  const values: { panel: string; day: string; hour: string; members: number }[] = [];
  const bestOf: Record<string, { panel: string; day: string; hour: string; members: number }> = {};
  const panels = model
    ? ([
        [AVAILABLE, grid.available],
        [LIKELY, grid.likely],
        [PRESENT, grid.present],
      ] as const)
    : ([
        [AVAILABLE, grid.available],
        [PRESENT, grid.present],
      ] as const);
  for (const [panel, data] of panels) {
    let best = { panel, day: '', hour: '', members: 0 };
    for (let c = 0; c < 7 * 24; c++) {
      const v = { panel, day: WEEKDAY_NAMES[Math.floor(c / 24)]!, hour: hh(c % 24), members: Math.round(data[c]! * 10) / 10 };
      values.push(v);
      if (best.day === '' || v.members > best.members) best = v;
    }
    bestOf[panel] = best;
  }
  if (values.every((v) => v.members === 0)) return { reason: 'Nobody has declared hours or been in voice in this period yet.' };
  const best = bestOf[PRESENT]!;
  const bestAvailable = bestOf[AVAILABLE]!;
  const bestLikely = bestOf[LIKELY];
  const title = titled('Best window to play', request, scope);
  const forecast =
    bestLikely && bestLikely.members > 0
      ? ` Forecast: most likely in voice ${bestLikely.day} ${bestLikely.hour} (${bestLikely.members} of those who usually declare it, from each one's record of showing up).`
      : '';
  const summary =
    (best.members > 0
      ? `Most members in voice: ${best.day} ${best.hour} (${best.members} on average). Most declared: ${bestAvailable.day} ${bestAvailable.hour} (${bestAvailable.members}).`
      : `Most declared: ${bestAvailable.day} ${bestAvailable.hour} (${bestAvailable.members} on average); nobody in voice yet.`) + forecast;
  return {
    title: title.text,
    summary,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { ...title, subtitle: `${title.subtitle} · average members per hour` },
      config: { ...THEME, axis: { ...THEME.axis, labelFontSize: 11 } },
      data: { values },
      facet: { column: { field: 'panel', type: 'nominal', title: null, sort: panels.map(([panel]) => panel), header: { labelFontSize: 14, labelFontWeight: 600 } } },
      spec: {
        width: model ? 380 : 500,
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
