import { DateTime } from 'luxon';
import { RANGE_LABELS, rangeDays } from '../catalog.js';
import { loadStays, memberZone, type Stay } from '../queries.js';
import { hours, THEME, WEEKDAY_NAMES, type ChartBuilder } from './chart.js';

/** One bar of the timeline: part of a stay inside one local day, as local clock hours. */
export interface TimelinePiece {
  day: string;
  date: string;
  /** ISO weekday of `date`, 1 = Monday. */
  weekday: number;
  from: number;
  to: number;
  channelId: string;
  afk: boolean;
}

export interface TimelineDay {
  /** "Mon 9 Nov". */
  day: string;
  date: string;
  start: number;
  end: number;
}

const CHANNEL_COLOURS = ['#5865F2', '#57F287', '#EB459E', '#FEE75C', '#ED4245', '#3BA55C', '#9B59B6', '#1ABC9C'];

const hourOfDay = (dt: DateTime) => dt.hour + dt.minute / 60 + dt.second / 3600;

/**
 * Cuts stays at local midnights of `zone` over the `dayCount` local days ending on the day of
 * `now`, and places each piece on a 0–24 h clock. Day bounds come from Luxon (a DST day is 23 or
 * 25 h long).
 */
export function timelinePieces(stays: readonly Stay[], zone: string, now: number, dayCount: number): { days: TimelineDay[]; pieces: TimelinePiece[] } {
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  const days: TimelineDay[] = Array.from({ length: dayCount }, (_, i) => {
    const start = today.minus({ days: dayCount - 1 - i });
    return { day: start.toFormat('ccc d LLL'), date: start.toISODate()!, start: start.toMillis(), end: start.plus({ days: 1 }).startOf('day').toMillis() };
  });
  const first = days[0]?.start ?? now;
  const pieces: TimelinePiece[] = [];
  for (const s of stays) {
    // The local days this stay touches, from its first: a long range is never scanned per stay.
    let d = DateTime.fromMillis(Math.max(s.start, first), { zone }).startOf('day');
    while (d.toMillis() < s.end && d.toMillis() <= today.toMillis()) {
      const dayStart = d.toMillis();
      const next = d.plus({ days: 1 }).startOf('day');
      const a = Math.max(s.start, dayStart);
      const b = Math.min(s.end, next.toMillis());
      if (b > a) {
        const from = hourOfDay(DateTime.fromMillis(a, { zone }));
        let to = b === next.toMillis() ? 24 : hourOfDay(DateTime.fromMillis(b, { zone }));
        // Across a fall-back hour the clock runs backwards; draw the elapsed time instead.
        if (to <= from) to = Math.min(24, from + (b - a) / 3_600_000);
        pieces.push({ day: d.toFormat('ccc d LLL'), date: d.toISODate()!, weekday: d.weekday, from, to, channelId: s.channelId, afk: s.afk === 1 });
      }
      d = next;
    }
  }
  return { days, pieces };
}

/** The last 7 local days (see {@link timelinePieces}). */
export function weekPieces(stays: readonly Stay[], zone: string, now: number): { days: TimelineDay[]; pieces: TimelinePiece[] } {
  return timelinePieces(stays, zone, now, 7);
}

/**
 * Chart 7: the member's own stays, day × hour, in their own zone (the guild's if they set none).
 * Over 7 days, one row per day; over a longer range, the weeks are overlaid on seven weekday rows,
 * each bar faint, so the evenings they usually play stand out darker.
 */
export const timelineChart: ChartBuilder = async (ctx, request) => {
  const userId = request.memberId;
  if (!userId) return { reason: 'The timeline is about one member: pick a member.' };
  const zone = await memberZone(ctx.db, ctx.scope, userId);
  const today = DateTime.fromMillis(ctx.scope.now, { zone }).startOf('day');
  const rangeLength = rangeDays(request.range);
  // All time starts on the (member-local) day of the guild's first recorded stay.
  const dayCount = rangeLength ?? Math.max(1, Math.round(today.diff(DateTime.fromMillis(ctx.scope.from, { zone }).startOf('day'), 'days').days) + 1);
  const start = today.minus({ days: dayCount - 1 }).toMillis();
  const stays = await loadStays(ctx.db, { ...ctx.scope, zone, from: start, to: ctx.scope.now }, { userId });
  const name = await ctx.nameOf(userId);
  const period = RANGE_LABELS[request.range];
  if (stays.length === 0) return { reason: `${name} has not been in voice in the ${period}.` };
  const { days, pieces } = timelinePieces(stays, zone, ctx.scope.now, dayCount);
  const overlaid = dayCount > 7;
  const weeks = dayCount / 7;
  const channels = await ctx.channelNames();
  const values = pieces.map((p) => ({
    day: overlaid ? WEEKDAY_NAMES[p.weekday - 1]! : p.day,
    from: p.from,
    to: p.to,
    channel: p.afk ? 'AFK' : `#${channels.get(p.channelId) ?? p.channelId}`,
  }));
  // Channels keep their colours; AFK is always grey, last in the legend.
  const channelLabels = [...new Set(values.map((v) => v.channel))].sort((a, b) => Number(a === 'AFK') - Number(b === 'AFK') || a.localeCompare(b));
  const colours = channelLabels.map((c, i) => (c === 'AFK' ? '#B9BBBE' : CHANNEL_COLOURS[i % CHANNEL_COLOURS.length]!));
  // Merged, so two overlapping stays (a glitch, or a move recorded late) never count twice.
  let playedMs = 0;
  let reach = -Infinity;
  for (const s of stays.filter((x) => !x.afk).sort((a, b) => a.start - b.start)) {
    playedMs += Math.max(0, s.end - Math.max(s.start, reach));
    reach = Math.max(reach, s.end);
  }
  const title = overlaid ? `${name}'s weeks in voice` : `${name}'s week in voice`;
  const how = overlaid ? ` · ${Math.round(weeks)} weeks overlaid: darker = more often` : '';
  return {
    title,
    summary: `${name}: ${hours(playedMs)} h in voice over the ${period} (AFK excluded).`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: title, subtitle: `${period}${how} · ${hours(playedMs)} h played · times in ${zone}` },
      config: THEME,
      width: 720,
      height: { step: 34 },
      data: { values },
      // Overlaid weeks: each bar faint enough that a few overlapping evenings still tell apart.
      mark: { type: 'bar', cornerRadius: 3, height: { band: 0.7 }, ...(overlaid ? { opacity: Math.max(0.08, Math.min(0.6, 1.5 / weeks)) } : {}) },
      encoding: {
        y: { field: 'day', type: 'ordinal', title: overlaid ? 'Day of the week' : 'Day', scale: { domain: overlaid ? [...WEEKDAY_NAMES] : days.map((d) => d.day) } },
        x: {
          field: 'from',
          type: 'quantitative',
          title: 'Hour of the day',
          scale: { domain: [0, 24], nice: false },
          axis: { values: [0, 3, 6, 9, 12, 15, 18, 21, 24], labelExpr: "datum.value < 10 ? '0' + datum.value + ':00' : datum.value + ':00'" },
        },
        x2: { field: 'to' },
        color: { field: 'channel', type: 'nominal', title: 'Channel', scale: { domain: channelLabels, range: colours }, legend: { orient: 'bottom' } },
      },
    },
  };
};
