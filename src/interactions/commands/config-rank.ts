import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { UserError } from '../../shared/errors.js';
import type { RankMapping } from '../../shared/services/rank-emoji.js';
import type { CommandContext, Reply } from '../handler.js';
import type { ConfigDeps } from './config-deps.js';

/** The rank lines of `/config show`. */
export function describeRanks(mappings: readonly RankMapping[]): string {
  if (mappings.length === 0) return 'Rank emoji: none — add one with `/config rank`';
  return ['Rank emoji (highest role first):', ...mappings.map((m) => `  ${m.emoji} <@&${m.roleId}>`)].join('\n');
}

function roleOption(ctx: CommandContext): string {
  const role = ctx.options.role('role');
  if (!role) throw new UserError('The `role` option is required.');
  return role.id;
}

/** Today's message names members with their rank emoji: re-render it after a mapping changes. */
async function refreshDailyMessage(deps: Pick<ConfigDeps, 'posts'>, guildId: string): Promise<void> {
  const post = await deps.posts.current(guildId);
  if (post) deps.posts.touch(post);
}

/** `/config rank <role> <emoji>` and `/config rank-remove <role>`. */
export const rankSubcommands: Record<string, (ctx: CommandContext, guildId: string, deps: ConfigDeps) => Promise<Reply>> = {
  rank: async (ctx, guildId, deps) => {
    const roleId = roleOption(ctx);
    const emoji = ctx.options.string('emoji');
    if (!emoji) throw new UserError('The `emoji` option is required.');
    const stored = await deps.rankEmoji.set(guildId, roleId, emoji);
    await refreshDailyMessage(deps, guildId);
    return { content: `✅ Members with <@&${roleId}> get ${stored} before their name in the daily message.\n\n${describeRanks(await deps.rankEmoji.list(guildId))}` };
  },

  'rank-remove': async (ctx, guildId, deps) => {
    const roleId = roleOption(ctx);
    await deps.rankEmoji.remove(guildId, roleId);
    await refreshDailyMessage(deps, guildId);
    return { content: `✅ <@&${roleId}> no longer has a rank emoji.\n\n${describeRanks(await deps.rankEmoji.list(guildId))}` };
  },
};

/** Their entries in the `/config` definition. */
export const rankOptions = [
  {
    type: ApplicationCommandOptionType.Subcommand as const,
    name: 'rank',
    description: "Show an emoji before the names of a role's members in the daily message",
    options: [
      { type: ApplicationCommandOptionType.Role as const, name: 'role', description: 'The role', required: true },
      { type: ApplicationCommandOptionType.String as const, name: 'emoji', description: 'A unicode emoji or one of this server’s emoji', required: true, max_length: 100 },
    ],
  },
  {
    type: ApplicationCommandOptionType.Subcommand as const,
    name: 'rank-remove',
    description: "Remove a role's rank emoji",
    options: [{ type: ApplicationCommandOptionType.Role as const, name: 'role', description: 'The role', required: true }],
  },
];
