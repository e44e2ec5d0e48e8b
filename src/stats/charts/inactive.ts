import { DateTime } from 'luxon';
import { DEFAULT_INACTIVE_DAYS } from '../catalog.js';
import { lastSeen } from '../queries.js';
import { DAY_MS, THEME, TOP_N, uniqueLabels, type ChartBuilder } from './chart.js';

/** A member not seen in voice for at least the threshold, or never since tracking began. */
export interface InactiveMember {
  userId: string;
  /** Whole days since their last (non-AFK) stay ended; for never-seen members, days tracked. */
  days: number;
  never: boolean;
}

/** Members whose last non-AFK voice stay ended `minDays` or more days before `now`, longest first. */
export function inactiveMembers(members: readonly { userId: string; lastSeen: number | null }[], trackedSince: number | null, now: number, minDays: number): InactiveMember[] {
  const out: InactiveMember[] = [];
  for (const m of members) {
    if (m.lastSeen === null) {
      if (trackedSince !== null && now - trackedSince >= minDays * DAY_MS) out.push({ userId: m.userId, days: Math.floor((now - trackedSince) / DAY_MS), never: true });
      continue;
    }
    const days = Math.floor((now - m.lastSeen) / DAY_MS);
    if (days >= minDays) out.push({ userId: m.userId, days, never: false });
  }
  return out.sort((a, b) => b.days - a.days || a.userId.localeCompare(b.userId));
}

/**
 * Chart 4: who has not been in voice for N days (the range does not apply: it is about now). Only
 * members with a presence signal are listed — in voice at some point, or on a daily message (see
 * `lastSeen`) — never someone the member cache merely knows the name of (an erased member who used
 * a command since, say).
 */
export const inactiveChart: ChartBuilder = async (ctx, request) => {
  const minDays = request.inactiveDays ?? DEFAULT_INACTIVE_DAYS;
  const { members, trackedSince } = await lastSeen(ctx.db, ctx.scope);
  if (members.length === 0) return { reason: 'Nobody has been in voice or on a daily message here yet, so I cannot tell who is inactive.' };
  const inactive = inactiveMembers(members, trackedSince, ctx.scope.now, minDays);
  if (inactive.length === 0) return { reason: `Everyone I know has been in voice in the last ${minDays} days. 🎉` };
  const shown = inactive.slice(0, TOP_N);
  const labels = uniqueLabels(
    shown.map((m) => m.userId),
    await ctx.names(),
  );
  const values = shown.map((m) => ({ member: labels.get(m.userId)!, days: m.days, status: m.never ? 'never seen (days tracked)' : 'last seen in voice' }));
  const since = trackedSince === null ? '' : `; tracking since ${DateTime.fromMillis(trackedSince, { zone: ctx.scope.zone }).toISODate()}`;
  return {
    title: `Inactive members: not in voice for ${minDays}+ days`,
    summary: `${inactive.length} of ${members.length} member(s) inactive for ${minDays}+ days${inactive.length > TOP_N ? ` (top ${TOP_N} shown)` : ''}.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: `Inactive members: not in voice for ${minDays}+ days`,
        subtitle: `members who were ever in voice or on a daily message · as of ${DateTime.fromMillis(ctx.scope.now, { zone: ctx.scope.zone }).toISODate()}${since}`,
      },
      config: THEME,
      width: 600,
      height: { step: 22 },
      data: { values },
      layer: [
        { mark: { type: 'bar', cornerRadiusEnd: 3 } },
        { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 }, encoding: { text: { field: 'days', type: 'quantitative' }, color: { value: '#222' } } },
      ],
      encoding: {
        y: { field: 'member', type: 'nominal', sort: values.map((v) => v.member), title: 'Member' },
        x: { field: 'days', type: 'quantitative', title: 'Days since last seen in voice' },
        color: {
          field: 'status',
          type: 'nominal',
          title: null,
          scale: { domain: ['last seen in voice', 'never seen (days tracked)'], range: ['#ED4245', '#99AAB5'] },
          legend: { orient: 'bottom', labelLimit: 0 },
        },
      },
    },
  };
};
