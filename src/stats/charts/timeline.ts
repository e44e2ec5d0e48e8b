import { DateTime } from 'luxon';
import { loadStays, memberZone, type Stay } from '../queries.js';
import { hours, THEME, type ChartBuilder } from './chart.js';

/** One bar of the timeline: part of a stay inside one local day, as local clock hours. */
export interface TimelinePiece {
  day: string;
  date: string;
  from: number;
  to: number;
  channelId: string;
  afk: boolean;
}

const CHANNEL_COLOURS = ['#5865F2', '#57F287', '#EB459E', '#FEE75C', '#ED4245', '#3BA55C', '#9B59B6', '#1ABC9C'];

const hourOfDay = (dt: DateTime) => dt.hour + dt.minute / 60 + dt.second / 3600;

/**
 * Cuts stays at local midnights of `zone` over the 7 local days ending on the day of `now`, and
 * places each piece on a 0–24 h clock. Day bounds come from Luxon (a DST day is 23 or 25 h long).
 */
export function weekPieces(stays: readonly Stay[], zone: string, now: number): { days: { day: string; date: string; start: number; end: number }[]; pieces: TimelinePiece[] } {
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  const days = Array.from({ length: 7 }, (_, i) => {
    const start = today.minus({ days: 6 - i });
    return { day: start.toFormat('ccc d LLL'), date: start.toISODate()!, start: start.toMillis(), end: start.plus({ days: 1 }).startOf('day').toMillis() };
  });
  const pieces: TimelinePiece[] = [];
  for (const s of stays) {
    for (const d of days) {
      const a = Math.max(s.start, d.start);
      const b = Math.min(s.end, d.end);
      if (b <= a) continue;
      const from = hourOfDay(DateTime.fromMillis(a, { zone }));
      let to = b === d.end ? 24 : hourOfDay(DateTime.fromMillis(b, { zone }));
      // Across a fall-back hour the clock runs backwards; draw the elapsed time instead.
      if (to <= from) to = Math.min(24, from + (b - a) / 3_600_000);
      pieces.push({ day: d.day, date: d.date, from, to, channelId: s.channelId, afk: s.afk === 1 });
    }
  }
  return { days, pieces };
}

/** Chart 7: one member's week, day × hour, in their own zone (the guild's if they set none). */
export const timelineChart: ChartBuilder = async (ctx, request) => {
  const userId = request.memberId;
  if (!userId) return { reason: 'The timeline is about one member: pick a member.' };
  const zone = await memberZone(ctx.db, ctx.scope, userId);
  const weekStart = DateTime.fromMillis(ctx.scope.now, { zone }).startOf('day').minus({ days: 6 }).toMillis();
  const stays = await loadStays(ctx.db, { ...ctx.scope, zone, from: weekStart, to: ctx.scope.now }, { userId });
  const name = await ctx.nameOf(userId);
  if (stays.length === 0) return { reason: `${name} has not been in voice in the last 7 days.` };
  const { days, pieces } = weekPieces(stays, zone, ctx.scope.now);
  const channels = await ctx.channelNames();
  const values = pieces.map((p) => ({
    day: p.day,
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
  const title = `${name}'s week in voice`;
  return {
    title,
    summary: `${name}: ${hours(playedMs)} h in voice over the last 7 days (AFK excluded).`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: { text: title, subtitle: `last 7 days · ${hours(playedMs)} h played · times in ${zone}` },
      config: THEME,
      width: 720,
      height: { step: 34 },
      data: { values },
      mark: { type: 'bar', cornerRadius: 3, height: { band: 0.7 } },
      encoding: {
        y: { field: 'day', type: 'ordinal', title: 'Day', scale: { domain: days.map((d) => d.day) } },
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
