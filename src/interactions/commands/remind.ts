import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { UserError } from '../../shared/errors.js';
import { PARTY_SIZE, type PartySettings } from '../../shared/services/party-settings.js';
import { REMINDER_MINUTES, type ReminderSettings } from '../../shared/services/reminder-settings.js';
import type { CommandContext, CommandHandler, Deps, Reply } from '../handler.js';
import { IN_GUILDS_ONLY } from '../handler.js';
import { ON_OFF_OPTION, onOff } from '../on-off.js';

const REMIND_USES = ['reminderSettings', 'partySettings', 'privacy'] as const;
type RemindDeps = Deps<(typeof REMIND_USES)[number]>;

/** What `/remind show` and every change answer: the member's choices in plain words. */
export function describeReminders(s: ReminderSettings, party: PartySettings, tracked: boolean): string {
  const dm =
    s.minutes === null
      ? 'Reminder: off — `/remind before <minutes>` sends you a DM that long before your first hour of the day.'
      : `Reminder: a DM **${s.minutes} min** before the first hour you're coming for each day (clicked, scheduled or seen in voice), with who else is coming then.`;
  const closed =
    s.minutes !== null && s.dmsClosedAt !== null
      ? [`⚠️ Your DMs were closed on <t:${Math.floor(s.dmsClosedAt / 1000)}:D>, so I stopped trying. Allow DMs from this server's members, then run \`/remind before\` again.`]
      : [];
  const alert = party.size > 0 ? `the server's alert is on at ${party.size} members for the same hour` : 'the server has no party alert yet (an admin turns it on with `/config party`)';
  const mention = s.party ? `Party alert: I **mention** you when it names you (${alert}).` : `Party alert: I name you without a ping (${alert}); \`/remind party on\` pings you.`;
  const privacy = tracked ? [] : ['🔕 You turned tracking off (`/privacy tracking`): I neither remind you nor name you in an alert until you turn it back on.'];
  return ['**Your rollcall reminders**', dm, ...closed, mention, ...privacy].join('\n');
}

async function answer(ctx: CommandContext, guildId: string, deps: RemindDeps, what: string, s?: ReminderSettings): Promise<Reply> {
  const settings = s ?? (await deps.reminderSettings.get(guildId, ctx.actor.userId));
  const [party, tracked] = await Promise.all([deps.partySettings.get(guildId), deps.privacy.isTracked(guildId, ctx.actor.userId)]);
  return { content: `${what ? `✅ ${what}\n\n` : ''}${describeReminders(settings, party, tracked)}` };
}

const subcommands: Record<string, (ctx: CommandContext, guildId: string, deps: RemindDeps) => Promise<Reply>> = {
  show: (ctx, guildId, deps) => answer(ctx, guildId, deps, ''),
  before: async (ctx, guildId, deps) => {
    const minutes = ctx.options.integer('minutes');
    if (minutes === undefined) throw new UserError('The `minutes` option is required.');
    const s = await deps.reminderSettings.setMinutes(guildId, ctx.actor.userId, minutes);
    return answer(ctx, guildId, deps, `I'll DM you ${minutes} minutes before your first hour.`, s);
  },
  party: async (ctx, guildId, deps) => {
    const on = onOff(ctx.options);
    const s = await deps.reminderSettings.setParty(guildId, ctx.actor.userId, on);
    return answer(ctx, guildId, deps, on ? 'The party alert will mention you.' : "The party alert won't mention you.", s);
  },
  off: async (ctx, guildId, deps) => {
    const s = await deps.reminderSettings.off(guildId, ctx.actor.userId);
    return answer(ctx, guildId, deps, 'No more reminders or party pings.', s);
  },
};

/**
 * `/remind …` — each member's own reminder DM and party-alert mention. `minutes` declares no range to
 * Discord on purpose: the store checks 5–180 and answers out-of-range values with a clear ephemeral
 * message (a declared range would make the interaction layer refuse them before any handler).
 */
export const remindCommand: CommandHandler<(typeof REMIND_USES)[number]> = {
  definition: {
    name: 'remind',
    description: 'A DM before your first hour of the evening, and pings from the party alert',
    ...IN_GUILDS_ONLY,
    options: [
      { type: ApplicationCommandOptionType.Subcommand, name: 'show', description: 'Show your reminder settings' },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'before',
        description: 'DM me this many minutes before my first hour of the day',
        options: [{ type: ApplicationCommandOptionType.Integer, name: 'minutes', description: `${REMINDER_MINUTES.min}–${REMINDER_MINUTES.max} minutes`, required: true }],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'party',
        description: `Mention me when the party alert names me (${PARTY_SIZE.min}+ members for the same hour)`,
        options: [ON_OFF_OPTION],
      },
      { type: ApplicationCommandOptionType.Subcommand, name: 'off', description: 'No reminder DM and no party pings' },
    ],
  },
  uses: REMIND_USES,
  async execute(ctx, deps) {
    const sub = ctx.options.subcommand ?? 'show';
    const run = subcommands[sub];
    if (!run) throw new UserError(`\`/remind ${sub}\` is not something I know.`);
    return run(ctx, ctx.guildId!, deps);
  },
};
