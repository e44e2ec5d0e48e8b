import { ApplicationCommandOptionType, ButtonStyle, ComponentType, type APIActionRowComponent, type APIComponentInMessageActionRow } from 'discord-api-types/v10';
import { UserError } from '../../shared/errors.js';
import { eveningHours } from '../../shared/time/slots.js';
import { WEEKDAY_NAMES, type Schedule, type WeeklySchedule } from '../../shared/services/schedules.js';
import type { GuildSettings } from '../../shared/services/guild-config.js';
import { customId, type CommandHandler, type ComponentContext, type ComponentHandler, type Deps, type Reply, IN_GUILDS_ONLY } from '../handler.js';
import type { BaseContext } from '../context.js';

/**
 * The picks travel in the components' `custom_id` (`key:<days>.<hours>` as base-36 bit masks), so
 * a half-finished menu still works after the bot restarts and nothing is stored until Save.
 */
export function encodePicks(p: Schedule): string {
  const mask = (values: number[], offset: number) => values.reduce((m, v) => m | (1 << (v - offset)), 0).toString(36);
  return `${mask(p.weekdays, 1)}.${mask(p.hours, 0)}`;
}

export function decodePicks(payload: string): Schedule {
  const match = /^([0-9a-z]{1,3})\.([0-9a-z]{1,6})$/.exec(payload);
  if (!match) throw new UserError('This menu is out of date. Run `/schedule set` again.');
  const bits = (text: string, size: number, offset: number) => {
    const n = parseInt(text, 36);
    return Array.from({ length: size }, (_, i) => i)
      .filter((i) => n & (1 << i))
      .map((i) => i + offset);
  };
  const days = parseInt(match[1]!, 36);
  const hours = parseInt(match[2]!, 36);
  if (days >= 1 << 7 || hours >= 1 << 24) throw new UserError('This menu is out of date. Run `/schedule set` again.');
  return { weekdays: bits(match[1]!, 7, 1), hours: bits(match[2]!, 24, 0) };
}

const pad = (h: number) => `${String(h).padStart(2, '0')}:00`;

function listDays(days: number[]): string {
  return days.length ? days.map((d) => WEEKDAY_NAMES[d - 1]).join(', ') : '—';
}

function listHours(hours: number[], order: number[]): string {
  const sorted = order.filter((h) => hours.includes(h));
  return sorted.length ? sorted.map(pad).join(', ') : '—';
}

/**
 * The configured slot hours in evening order (20, 21, …, 1), the order members think in. A schedule
 * is for every week, so this is the configured range, not tonight's slots (a spring-forward night
 * has no 2 am, yet 2 am is still a choice for the weeks after).
 */
function configuredHours(settings: GuildSettings): number[] {
  return eveningHours(settings.firstHour, settings.lastHour).map((h) => h % 24);
}

type ScheduleDeps = Deps<'schedules' | 'guildConfig'>;

async function configured(ctx: BaseContext, deps: Pick<ScheduleDeps, 'guildConfig'>): Promise<GuildSettings> {
  const settings = await deps.guildConfig.get(ctx.guildId!);
  if (!settings.channelId) {
    throw new UserError("rollcall isn't set up in this server yet: an admin needs to pick a channel with `/config channel` first.");
  }
  return settings;
}

/** The ephemeral editor: two multi-selects and a Save button, all carrying the current picks. */
function editor(picks: Schedule, settings: GuildSettings, note = ''): Reply {
  const hours = configuredHours(settings);
  const payload = encodePicks(picks);
  const components: APIActionRowComponent<APIComponentInMessageActionRow>[] = [
    {
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.StringSelect,
          custom_id: customId('sched-days', payload),
          placeholder: 'Which evenings?',
          min_values: 0,
          max_values: 7,
          options: WEEKDAY_NAMES.map((name, i) => ({ label: name, value: String(i + 1), default: picks.weekdays.includes(i + 1) })),
        },
      ],
    },
    {
      type: ComponentType.ActionRow,
      components: [
        {
          type: ComponentType.StringSelect,
          custom_id: customId('sched-hours', payload),
          placeholder: 'Which hours?',
          min_values: 0,
          max_values: hours.length,
          options: hours.map((h) => ({ label: pad(h), value: String(h), default: picks.hours.includes(h) })),
        },
      ],
    },
    {
      type: ComponentType.ActionRow,
      components: [{ type: ComponentType.Button, style: ButtonStyle.Success, label: 'Save', custom_id: customId('sched-save', payload) }],
    },
  ];
  const content = [
    '**Your weekly schedule** — pick the evenings and hours you usually play, then **Save**. Save sets those hours on the evenings picked; the other evenings keep theirs (so Tuesday 20–23 and Friday 21–01 are two saves).',
    `Evenings: ${listDays(picks.weekdays)}`,
    `Hours: ${listHours(picks.hours, hours)} (${settings.timezone}; 1 am after a Tuesday evening counts as Tuesday)`,
    ...(note ? ['', note] : []),
  ].join('\n');
  return { content, components, update: true };
}

/** How a member's schedule reads back: one line for evenings that share their hours, else evening by evening. */
function describe(week: WeeklySchedule, settings: GuildSettings): string {
  if (week.size === 0) return 'You have no schedule. Set one with `/schedule set`.';
  const order = configuredHours(settings);
  const groups = new Map<string, number[]>();
  for (const [day, hours] of week) {
    const key = listHours(hours, order);
    groups.set(key, [...(groups.get(key) ?? []), day]);
  }
  const parts = [...groups].map(([hours, days]) => `every **${listDays(days)}** at **${hours}**`);
  return `You're on the list ${parts.join('; ')} (${settings.timezone}).`;
}

/** The picks the editor opens with: the schedule when every evening has the same hours, else the evenings alone. */
function uniformPicks(week: WeeklySchedule): { picks: Schedule; note: string } {
  const all = [...week.values()];
  const same = all.every((hours) => hours.join() === all[0]!.join());
  if (same) return { picks: { weekdays: [...week.keys()], hours: all[0] ?? [] }, note: '' };
  return { picks: { weekdays: [], hours: [] }, note: 'Your evenings have different hours; pick the evenings to change and their hours.' };
}

const NOT_TONIGHT_HINT = "Can't make it one evening? Press **Not tonight** on that day's message: it takes you off that day only, and your schedule carries on.";

/**
 * `/schedule set|show|clear` — a member's recurring availability. Each member only ever touches
 * their own schedule.
 */
export const scheduleCommand: CommandHandler<'schedules' | 'guildConfig'> = {
  uses: ['schedules', 'guildConfig'],
  definition: {
    name: 'schedule',
    description: 'Your weekly schedule: the evenings and hours you usually play',
    ...IN_GUILDS_ONLY,
    options: [
      { type: ApplicationCommandOptionType.Subcommand, name: 'set', description: 'Pick your evenings and hours' },
      { type: ApplicationCommandOptionType.Subcommand, name: 'show', description: 'Show your schedule' },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'clear',
        description: 'Remove your schedule',
        options: [
          {
            type: ApplicationCommandOptionType.Integer,
            name: 'day',
            description: 'Only this evening (default: the whole schedule)',
            choices: WEEKDAY_NAMES.map((name, i) => ({ name, value: i + 1 })),
          },
          { type: ApplicationCommandOptionType.User, name: 'member', description: "Admins only: remove someone else's schedule (e.g. a member who left)" },
        ],
      },
    ],
  },
  async execute(ctx, deps) {
    const settings = await configured(ctx, deps);
    const guildId = ctx.guildId!;
    const me = ctx.actor.userId;
    switch (ctx.options.subcommand) {
      case 'set': {
        const { picks, note } = uniformPicks(await deps.schedules.byDay(guildId, me));
        return { ...editor(picks, settings, note), update: false };
      }
      case 'clear': {
        // A member who left the server is still a user Discord resolves (without `member`): admins can clear them too.
        const target = ctx.options.user('member')?.id;
        if (target && target !== me) {
          if (!ctx.actor.isAdmin) throw new UserError("⛔ Only server admins (Manage Server) can remove someone else's schedule. Run `/schedule clear` without `member` for yours.");
          const removed = await deps.schedules.clear(guildId, target);
          return { content: removed ? `🗑️ <@${target}>'s schedule is removed. Today’s message is updated for the hours still ahead.` : `<@${target}> had no schedule.` };
        }
        const day = ctx.options.integer('day') ?? undefined;
        if (day !== undefined) {
          const removed = await deps.schedules.clear(guildId, me, day);
          return {
            content: removed
              ? `🗑️ Your ${WEEKDAY_NAMES[day - 1]} evenings are off your schedule. ${describe(await deps.schedules.byDay(guildId, me), settings)}`
              : `You had no ${WEEKDAY_NAMES[day - 1]} in your schedule.`,
          };
        }
        const removed = await deps.schedules.clear(guildId, me);
        return { content: removed ? '🗑️ Your schedule is removed. Today’s message is updated for the hours still ahead.' : 'You had no schedule.' };
      }
      default:
        return { content: `${describe(await deps.schedules.byDay(guildId, me), settings)}\n${NOT_TONIGHT_HINT}` };
    }
  },
};

function picker(key: 'sched-days' | 'sched-hours'): ComponentHandler<'guildConfig'> {
  return {
    key,
    uses: ['guildConfig'],
    async execute(ctx: ComponentContext, deps) {
      const settings = await configured(ctx, deps);
      const picks = decodePicks(ctx.payload);
      const values = ctx.values.map(Number);
      const valid = key === 'sched-days' ? values.every((v) => Number.isInteger(v) && v >= 1 && v <= 7) : values.every((v) => Number.isInteger(v) && v >= 0 && v <= 23);
      if (!valid) throw new UserError('Those choices are not valid. Run `/schedule set` again.');
      const next = key === 'sched-days' ? { ...picks, weekdays: values } : { ...picks, hours: values };
      const note = values.length === 0 ? (key === 'sched-days' ? 'No evenings picked.' : 'No hours picked.') : '';
      return editor(next, settings, note);
    },
  };
}

export const scheduleDays = picker('sched-days');
export const scheduleHours = picker('sched-hours');

export const scheduleSave: ComponentHandler<'schedules' | 'guildConfig'> = {
  key: 'sched-save',
  uses: ['schedules', 'guildConfig'],
  async execute(ctx, deps) {
    const settings = await configured(ctx, deps);
    const picks = decodePicks(ctx.payload);
    if (picks.weekdays.length === 0 || picks.hours.length === 0) {
      return editor(picks, settings, '⚠️ Pick at least one evening and one hour before saving.');
    }
    await deps.schedules.set(ctx.guildId!, ctx.actor.userId, picks);
    const saved = await deps.schedules.byDay(ctx.guildId!, ctx.actor.userId);
    return { content: `✅ Saved. ${describe(saved, settings)}\nIt applies from today's hours still ahead. Change it any time with \`/schedule set\`.`, components: [], update: true };
  },
};
