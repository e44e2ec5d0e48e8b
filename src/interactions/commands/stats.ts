import { ApplicationCommandOptionType, type APIApplicationCommandBasicOption, type APIApplicationCommandSubcommandOption } from 'discord-api-types/v10';
import { UserError } from '../../shared/errors.js';
import {
  CHART_NAMES,
  CHARTS,
  DEFAULT_INACTIVE_DAYS,
  DEFAULT_MIN_PAIR_MS,
  INACTIVE_DAYS_LIMITS,
  isRangeName,
  MIN_HOURS_LIMITS,
  outOfLimits,
  PAIR_CHARTS,
  RANGE_LABELS,
  RANGE_NAMES,
  type ChartName,
  type ChartResult,
  type RangeName,
} from '../../stats/catalog.js';
import type { CommandContext, CommandHandler, Reply } from '../handler.js';
import { IN_GUILDS_ONLY } from '../handler.js';

const HOUR_MS = 3_600_000;
const rangeChoices = RANGE_NAMES.map((r) => ({ name: RANGE_LABELS[r], value: r }));
/** A chart's range option, naming its own default (most charts 30 days, the per-member months a year…). */
const rangeOption = (chart: ChartName) => ({
  type: ApplicationCommandOptionType.String as const,
  name: 'range',
  description: `Period to cover (default: ${RANGE_LABELS[CHARTS[chart].defaultRange]})`,
  choices: rangeChoices,
});
/** The timeline's range: 7 days is one row per day; longer overlays the weeks. */
const timelineRangeOption = {
  ...rangeOption('timeline'),
  description: `Period to cover (default: ${RANGE_LABELS[CHARTS.timeline.defaultRange]}; longer overlays the weeks)`,
};
const meRangeOption = {
  ...rangeOption('timeline'),
  description: `Period (default: ${RANGE_LABELS[CHARTS.timeline.defaultRange]} for your week, ${RANGE_LABELS[CHARTS.reliability.defaultRange]} for said vs showed)`,
};
const memberOption = { type: ApplicationCommandOptionType.User as const, name: 'member', description: "Whose said-vs-showed (default: everyone's; another member's: admins)" };

const minHoursOption = {
  type: ApplicationCommandOptionType.Integer as const,
  name: 'min-hours',
  description: `Leave out pairs with less time together than this (default: ${DEFAULT_MIN_PAIR_MS / HOUR_MS} h)`,
  min_value: MIN_HOURS_LIMITS.min,
  max_value: MIN_HOURS_LIMITS.max,
};
const daysOption = {
  type: ApplicationCommandOptionType.Integer as const,
  name: 'days',
  description: `Inactive = not in voice for this many days (default: ${DEFAULT_INACTIVE_DAYS})`,
  min_value: INACTIVE_DAYS_LIMITS.min,
  max_value: INACTIVE_DAYS_LIMITS.max,
};

/** Each chart's options: only those that change what it draws. */
function chartOptions(chart: ChartName): APIApplicationCommandBasicOption[] {
  if (chart === 'inactive') return [daysOption]; // about now: no range
  if (PAIR_CHARTS.includes(chart)) return [rangeOption(chart), minHoursOption];
  // The timeline is only ever your own (raw stays are never shown to anyone else): no member.
  if (chart === 'reliability') return [rangeOption(chart), memberOption];
  if (chart === 'timeline') return [timelineRangeOption];
  return [rangeOption(chart)];
}

/** Charts about everyone say so in Discord's command picker, before a member tries one. */
function chartSubcommand(chart: ChartName): APIApplicationCommandSubcommandOption {
  const who = chart === 'reliability' ? 'Admins (own: anyone)' : CHARTS[chart].who === 'admins' ? 'Admins' : 'Anyone, own only';
  return {
    type: ApplicationCommandOptionType.Subcommand,
    name: chart,
    description: `${who}: ${CHARTS[chart].description}`.slice(0, 100),
    options: chartOptions(chart),
  };
}

/**
 * `/stats help`: what a member can draw first (about themselves), then what admins can draw about
 * everyone, so nobody has to find the admin-only charts by being refused.
 */
export function statsHelp(isAdmin: boolean): string {
  const admin = CHART_NAMES.filter((c) => CHARTS[c].who === 'admins');
  return [
    '📊 **/stats** draws charts of who plays, with whom and when. Every chart is sent only to you.',
    '',
    '**Anyone can draw, about themselves:**',
    `• \`/stats me\` — your week in voice, day × hour (default ${RANGE_LABELS[CHARTS.timeline.defaultRange]}; a longer \`range\` overlays the weeks)`,
    `• \`/stats me view:said vs showed\` — hours you declared vs hours you were in voice (default ${RANGE_LABELS[CHARTS.reliability.defaultRange]})`,
    '• `/stats timeline` — the same week as `/stats me`: only ever your own, admins included',
    '',
    `**Admins (Manage Server) can also draw, about everyone:**${isAdmin ? '' : ' (you are not an admin here, so these answer with a refusal)'}`,
    ...admin.map((c) => `• \`/stats ${c}\` — ${CHARTS[c].description}${c === 'reliability' ? " (or one member's, with `member`)" : ''}`),
    '',
    `Ranges: ${RANGE_NAMES.map((r) => `\`${r}\``).join(', ')} (local calendar days, today included). Nobody, admins included, can see another member's stays hour by hour.`,
  ].join('\n');
}

/** An integer option checked against its limits (Discord enforces them too; this is for anything else). */
function limited(ctx: CommandContext, name: string, limits: { min: number; max: number }): number | undefined {
  const value = ctx.options.integer(name);
  if (value === undefined) return undefined;
  const problem = outOfLimits(`\`${name}\``, value, limits);
  if (problem) throw new UserError(problem);
  return value;
}

/** Turns a drawn chart (or why there is none) into what the member sees. */
export function chartReply(result: ChartResult): Reply {
  if (!result.ok) return { content: `📊 Nothing to draw yet: ${result.reason}` };
  return {
    content: `📊 **${result.title}**\n${result.summary}`,
    files: [{ name: `rollcall-${result.chart}.png`, data: Buffer.from(result.png.buffer, result.png.byteOffset, result.png.byteLength), contentType: 'image/png' }],
  };
}

const ADMIN_ONLY = '⛔ Charts about everyone are for server admins (Manage Server). Try `/stats me` for your own; `/stats help` lists what you can draw.';
export const NOT_YOUR_WEEK = "🔒 A member's week in voice is theirs to share: only they can draw it, with `/stats me`. `/stats timeline` shows your own week.";

/**
 * `/stats <chart> [range] [member]` and `/stats me`: charts of the guild's voice life. Rendering
 * runs in the worker and always answers through the deferred path (attachments cannot ride on the
 * initial response), so the reply is ephemeral for everyone: the router decides deferral
 * visibility per command, and personal charts must not be public.
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#edit-original-interaction-response
 */
export const statsCommand: CommandHandler<'stats'> = {
  uses: ['stats'],
  definition: {
    name: 'stats',
    description: 'Charts of who plays, with whom and when',
    ...IN_GUILDS_ONLY,
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'me',
        description: 'Your own week in voice, or your said-vs-showed',
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: 'view',
            description: 'Which chart (default: timeline)',
            choices: [
              { name: 'my week in voice (timeline)', value: 'timeline' },
              { name: 'said vs showed (reliability)', value: 'reliability' },
            ],
          },
          meRangeOption,
        ],
      },
      { type: ApplicationCommandOptionType.Subcommand, name: 'help', description: 'Which charts you can draw (yours: anyone; about everyone: admins)' },
      ...CHART_NAMES.map(chartSubcommand),
    ],
  },

  defer: 'always',
  async execute(ctx: CommandContext, deps): Promise<Reply> {
    const sub = ctx.options.subcommand ?? 'me';
    if (sub === 'help') return { content: statsHelp(ctx.actor.isAdmin) };
    const guildId = ctx.guildId!;
    let chart: ChartName;
    let memberId: string | undefined;
    if (sub === 'me') {
      chart = ctx.options.string('view') === 'reliability' ? 'reliability' : 'timeline';
      memberId = ctx.actor.userId;
    } else if ((CHART_NAMES as readonly string[]).includes(sub)) {
      chart = sub as ChartName;
      const member = ctx.options.user('member')?.id;
      // The timeline shows raw stays, so it is only ever the caller's own, admins included (the
      // option is not offered; this answers a client still showing an older command list).
      if (chart === 'timeline' && member !== undefined && member !== ctx.actor.userId) {
        ctx.log.info({ command: 'stats', chart }, "refused: another member's timeline");
        return { content: NOT_YOUR_WEEK };
      }
      // Reliability without a member is everyone's; with one, aggregated percentages (admins).
      memberId = chart === 'timeline' ? ctx.actor.userId : chart === 'reliability' ? member : undefined;
      const aboutSelf = memberId !== undefined && memberId === ctx.actor.userId;
      if (!aboutSelf && !ctx.actor.isAdmin) {
        ctx.log.info({ command: 'stats', chart }, 'refused: not an admin');
        return { content: ADMIN_ONLY };
      }
    } else {
      throw new UserError(`\`/stats ${sub}\` is not a chart I know.`);
    }
    const rangeText = ctx.options.string('range') ?? CHARTS[chart].defaultRange;
    if (!isRangeName(rangeText)) throw new UserError(`\`${rangeText}\` is not a period I know: use one of ${RANGE_NAMES.join(', ')}.`);
    const range: RangeName = rangeText;
    const minHours = PAIR_CHARTS.includes(chart) ? limited(ctx, 'min-hours', MIN_HOURS_LIMITS) : undefined;
    const inactiveDays = chart === 'inactive' ? limited(ctx, 'days', INACTIVE_DAYS_LIMITS) : undefined;
    const result = await deps.stats.chart({
      guildId,
      chart,
      range,
      memberId,
      ...(minHours !== undefined ? { minPairMs: minHours * HOUR_MS } : {}),
      ...(inactiveDays !== undefined ? { inactiveDays } : {}),
    });
    ctx.log.info({ command: 'stats', chart, range, drawn: result.ok }, 'stats chart');
    return chartReply(result);
  },
};
