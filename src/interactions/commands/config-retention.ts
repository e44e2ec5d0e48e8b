import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { UserError } from '../../shared/errors.js';
import { MAX_RETENTION_DAYS, MIN_RETENTION_DAYS } from '../../shared/services/retention.js';
import type { CommandContext, Reply } from '../handler.js';
import type { ConfigDeps } from './config-deps.js';

/** The retention line of `/config show`. */
export function describeRetention(days: number): string {
  return `History kept: ${days} days (voice stays and votes older than that are deleted once a day; \`/config retention\`)`;
}

/** `/config retention <days>`. */
export const retentionSubcommands: Record<string, (ctx: CommandContext, guildId: string, deps: ConfigDeps) => Promise<Reply>> = {
  retention: async (ctx, guildId, deps) => {
    const days = ctx.options.integer('days');
    if (days === undefined) throw new UserError('The `days` option is required.');
    const before = await deps.retention.days(guildId);
    const stored = await deps.retention.setDays(guildId, days);
    const note =
      stored < before
        ? 'Older voice stays and votes are deleted at the next daily clean-up (the first one after midnight, server time), not right now: you have until then to change your mind.'
        : 'Nothing already deleted comes back.';
    return { content: `✅ History is now kept for **${stored} days**. ${note}\n\n${describeRetention(stored)}` };
  },
};

/** Its entry in the `/config` definition. */
export const retentionOptions = [
  {
    type: ApplicationCommandOptionType.Subcommand as const,
    name: 'retention',
    description: 'How many days of voice stays and votes to keep (default 365)',
    options: [
      {
        type: ApplicationCommandOptionType.Integer as const,
        name: 'days',
        description: `Days of history to keep, ${MIN_RETENTION_DAYS}–${MAX_RETENTION_DAYS}`,
        required: true,
        min_value: MIN_RETENTION_DAYS,
        max_value: MAX_RETENTION_DAYS,
      },
    ],
  },
];
