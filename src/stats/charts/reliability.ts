import { declaredDays, loadStays, memberZone } from '../queries.js';
import { saidVsShowed, weekdayOf, type SaidShowed } from '../reliability.js';
import { hours, THEME, titled, TOP_N, uniqueLabels, WEEKDAY_NAMES, type ChartBuilder } from './chart.js';

const pct = (s: SaidShowed) => (s.declaredMs === 0 ? 0 : Math.round((100 * s.showedMs) / s.declaredMs));

/**
 * Chart 8: said vs showed. For everyone: per member (most declared first). With a member: that
 * member by weekday, in the member's own time zone (the guild's if they set none). Each row: hours
 * declared (reactions + schedules), hours actually in voice in those slots, and the ratio as a
 * reliability percentage.
 */
export const reliabilityChart: ChartBuilder = async (ctx, request) => {
  const { scope } = ctx;
  const member = request.memberId;
  const declared = member ? await declaredDays(ctx.db, scope, ctx.dates.from, ctx.dates.to, member) : await ctx.declared();
  const stays = member ? await loadStays(ctx.db, scope, { userId: member, playingOnly: true }) : await ctx.playing();
  const rows: { label: string; s: SaidShowed }[] = [];
  let memberName = '';
  // One member's chart is theirs: its weekdays are read on their own clock, as the timeline's.
  const zone = member ? await memberZone(ctx.db, scope, member) : scope.zone;
  if (member) {
    memberName = await ctx.nameOf(member);
    const byDay = saidVsShowed(declared, stays, await ctx.slots(), scope.from, scope.now, (_user, start) => weekdayOf(start, zone));
    WEEKDAY_NAMES.forEach((day, i) => {
      const s = byDay.get(i + 1);
      if (s) rows.push({ label: `${day} · ${pct(s)}%`, s });
    });
  } else {
    const byUser = saidVsShowed(declared, stays, await ctx.slots(), scope.from, scope.now, (user) => user);
    const top = [...byUser].sort((a, b) => b[1].declaredMs - a[1].declaredMs).slice(0, TOP_N);
    const labels = uniqueLabels(
      top.map(([id]) => id),
      await ctx.names(),
    );
    for (const [id, s] of top) rows.push({ label: `${labels.get(id)!} · ${pct(s)}%`, s });
  }
  if (rows.length === 0) {
    return {
      reason: member
        ? `${memberName} has not declared any hours (reactions or schedule) that have passed in this period.`
        : 'Nobody has declared hours (reactions or schedules) that have passed in this period yet.',
    };
  }
  const order = rows.map((r) => r.label);
  const values = rows.flatMap((r) => [
    { row: r.label, what: 'said (declared)', hours: hours(r.s.declaredMs) },
    { row: r.label, what: 'showed (in voice)', hours: hours(r.s.showedMs) },
  ]);
  const all = rows.reduce((a, r) => ({ declaredMs: a.declaredMs + r.s.declaredMs, showedMs: a.showedMs + r.s.showedMs, slots: a.slots + r.s.slots }), { declaredMs: 0, showedMs: 0, slots: 0 });
  const title = titled(member ? `Said vs showed: ${memberName}` : 'Said vs showed: declared hours vs hours in voice', request, { ...scope, zone });
  return {
    title: title.text,
    summary: `${member ? memberName : 'Everyone'}: ${hours(all.declaredMs)} h declared, ${hours(all.showedMs)} h shown in voice — ${pct(all)}% reliability.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title,
      config: THEME,
      width: 600,
      height: { step: 14 },
      data: { values },
      mark: { type: 'bar', cornerRadiusEnd: 2 },
      encoding: {
        y: { field: 'row', type: 'nominal', sort: order, title: member ? 'Day of the week · reliability' : 'Member · reliability' },
        yOffset: { field: 'what', sort: ['said (declared)', 'showed (in voice)'] },
        x: { field: 'hours', type: 'quantitative', title: 'Hours' },
        color: {
          field: 'what',
          type: 'nominal',
          title: null,
          scale: { domain: ['said (declared)', 'showed (in voice)'], range: ['#99AAB5', '#5865F2'] },
          legend: { orient: 'bottom' },
        },
      },
    },
  };
};
