import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import { slotCount, type GuildSettings } from '../../shared/services/guild-config.js';
import { UserError } from '../../shared/errors.js';
import { messageLink } from '../../shared/services/daily-post.js';
import { searchZones } from '../../shared/time/zones.js';
import type { CommandContext, CommandHandler, Reply } from '../handler.js';
import { IN_GUILDS_ONLY } from '../handler.js';
import { describeRanks, rankOptions, rankSubcommands } from './config-rank.js';
import { greetingLine, greetingOptions, greetingSubcommands } from './config-greeting.js';
import { describeRetention, retentionOptions, retentionSubcommands } from './config-retention.js';
import { describeParty, partyOptions, partySubcommands } from './config-party.js';
import { CONFIG_USES, type ConfigDeps } from './config-deps.js';

/** Channel types the daily message can be posted in. */
export const POSTABLE_CHANNEL_TYPES = [ChannelType.GuildText, ChannelType.GuildAnnouncement] as const;

const pad = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

/** The settings as an admin reads them in `/config show` and after every change. */
export function describeSettings(s: GuildSettings): string {
  return [
    '**rollcall settings**',
    `Channel: ${s.channelId ? `<#${s.channelId}>` : 'not set — pick one with `/config channel`'}`,
    `Time zone: ${s.timezone}`,
    `Hours: ${pad(s.firstHour)} → ${pad(s.lastHour)} (${slotCount(s.firstHour, s.lastHour)} slots)`,
    `Daily message at: ${s.postTime} (${s.timezone})`,
  ].join('\n');
}

type Subcommand = (ctx: CommandContext, guildId: string, deps: ConfigDeps) => Promise<Reply>;

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new UserError(`The \`${name}\` option is required.`);
  return value;
}

const changed = (what: string, s: GuildSettings): Reply => ({ content: `✅ ${what}\n\n${describeSettings(s)}` });

/** Subcommands by name; the rank, greeting and retention ones come from their own files. */
export const configSubcommands: Record<string, Subcommand> = {
  show: async (ctx, guildId, deps) => {
    const settings = await deps.guildConfig.get(guildId);
    return {
      content: `${describeSettings(settings)}\n${describeRanks(await deps.rankEmoji.list(guildId))}\n${describeRetention(await deps.retention.days(guildId))}\n${await greetingLine(deps, guildId)}\n${describeParty(await deps.partySettings.get(guildId))}\n${await deps.postView.statusLine(guildId)}`,
    };
  },

  'post-now': async (ctx, guildId, deps) => {
    const { post, created, replaced, clocksRestored = 0 } = await deps.postRepair.postNow(guildId);
    if (replaced) return { content: `✅ Today's message was deleted, so I posted a new one: ${messageLink(post)} — the votes are kept.` };
    if (created) return { content: `✅ Posted today's message: ${messageLink(post)}` };
    const restored = clocksRestored > 0 ? ` I put back ${clocksRestored} missing clock reaction${clocksRestored === 1 ? '' : 's'}; the votes are kept.` : '';
    return { content: `Today's message is already up: ${messageLink(post)}${restored}` };
  },

  channel: async (ctx, guildId, deps) => {
    const channel = required(ctx.options.channel('channel'), 'channel');
    if (!(POSTABLE_CHANNEL_TYPES as readonly number[]).includes(channel.type)) {
      throw new UserError(`<#${channel.id}> is not a text channel. Pick a text channel for the daily message.`);
    }
    return changed(`The daily message will go to <#${channel.id}>.`, await deps.guildConfig.setChannel(guildId, channel.id));
  },

  timezone: async (ctx, guildId, deps) => {
    const settings = await deps.guildConfig.setTimezone(guildId, required(ctx.options.string('zone'), 'zone'));
    return changed(`Time zone set to ${settings.timezone}.`, settings);
  },

  hours: async (ctx, guildId, deps) => {
    const first = required(ctx.options.integer('first'), 'first');
    const last = required(ctx.options.integer('last'), 'last');
    const settings = await deps.guildConfig.setHours(guildId, first, last);
    return changed(`Hour slots set to ${pad(first)} → ${pad(last)}.`, settings);
  },

  'post-time': async (ctx, guildId, deps) => {
    const settings = await deps.guildConfig.setPostTime(guildId, required(ctx.options.string('time'), 'time'));
    return changed(`The daily message will be posted at ${settings.postTime}.`, settings);
  },

  ...rankSubcommands,
  ...greetingSubcommands,
  ...retentionSubcommands,
  ...partySubcommands,
};

const hourOption = (name: string, description: string) => ({
  type: ApplicationCommandOptionType.Integer as const,
  name,
  description,
  required: true,
  min_value: 0,
  max_value: 23,
});

/**
 * `/config …` — admin settings. Admin-only twice: `default_member_permissions` hides it from
 * members, and the handler checks `member.permissions` because server admins can re-grant
 * commands to anyone in the integration settings.
 * @see https://discord.com/developers/docs/interactions/application-commands#permissions
 */
export const configCommand: CommandHandler<(typeof CONFIG_USES)[number]> = {
  definition: {
    name: 'config',
    description: 'Configure rollcall for this server (admins)',
    default_member_permissions: String(PermissionFlagsBits.ManageGuild),
    ...IN_GUILDS_ONLY,
    options: [
      { type: ApplicationCommandOptionType.Subcommand, name: 'show', description: 'Show the current settings' },
      { type: ApplicationCommandOptionType.Subcommand, name: 'post-now', description: "Post today's message now if it is missing" },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'channel',
        description: 'Where the daily message is posted',
        options: [
          {
            type: ApplicationCommandOptionType.Channel,
            name: 'channel',
            description: 'A text channel',
            required: true,
            channel_types: [...POSTABLE_CHANNEL_TYPES],
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'timezone',
        description: "The server's time zone (hours and post time are read in it)",
        options: [{ type: ApplicationCommandOptionType.String, name: 'zone', description: 'IANA zone, e.g. Europe/Paris', required: true, autocomplete: true }],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'hours',
        description: 'First and last hour slot of the evening (may cross midnight, at most 12)',
        options: [hourOption('first', 'First hour slot, 0–23'), hourOption('last', 'Last hour slot, 0–23 (inclusive)')],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'post-time',
        description: 'When the daily message is posted (HH:MM, server time)',
        options: [{ type: ApplicationCommandOptionType.String, name: 'time', description: 'e.g. 07:00', required: true, max_length: 5 }],
      },
      ...rankOptions,
      ...greetingOptions,
      ...retentionOptions,
      ...partyOptions,
    ],
  },

  uses: CONFIG_USES,

  async execute(ctx, deps) {
    if (!ctx.actor.isAdmin) {
      ctx.log.info({ command: 'config' }, 'refused: not an admin');
      return { content: '⛔ Only server admins (Manage Server permission) can change rollcall settings.' };
    }
    const sub = ctx.options.subcommand ?? 'show';
    const run = configSubcommands[sub];
    if (!run) throw new UserError(`\`/config ${sub}\` is not a setting I know.`);
    return run(ctx, ctx.guildId!, deps);
  },

  async autocomplete(ctx) {
    if (ctx.focused.name !== 'zone') return [];
    return searchZones(ctx.focused.value).map((zone) => ({ name: zone, value: zone }));
  },
};
