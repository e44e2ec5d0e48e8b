import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { UserError } from '../../shared/errors.js';
import { localTime, type ZoneGroup } from '../../shared/services/timezones.js';
import { searchZones } from '../../shared/time/zones.js';
import type { CommandContext, CommandHandler, Deps, Reply } from '../handler.js';
import { IN_GUILDS_ONLY } from '../handler.js';

type TimezoneDeps = Deps<'timezones' | 'clock'>;

const nowIn = (deps: Pick<TimezoneDeps, 'clock'>, zone: string) => {
  const t = localTime(deps.clock.now(), zone);
  return `${t.time} (${t.weekday}, ${t.offset})`;
};

/** The member an admin names with `member:`, checked to be in this server; undefined when not given. */
function memberOption(ctx: CommandContext): { id: string; bot: boolean } | undefined {
  const option = ctx.options.user('member');
  if (!option) return undefined;
  // Discord resolves `member` only for users who are in the server.
  if (!option.member) throw new UserError(`<@${option.id}> is not a member of this server.`);
  return { id: option.id, bot: option.user?.bot === true };
}

async function set(ctx: CommandContext, guildId: string, deps: TimezoneDeps): Promise<Reply> {
  const zoneInput = ctx.options.string('zone');
  if (!zoneInput) throw new UserError('The `zone` option is required.');
  const target = memberOption(ctx);
  if (target && target.id !== ctx.actor.userId) {
    if (!ctx.actor.isAdmin) throw new UserError("⛔ Only server admins (Manage Server) can set someone else's time zone. Run `/timezone set` without `member` for your own.");
    if (target.bot) throw new UserError(`<@${target.id}> is a bot; bots don't have a time zone.`);
    const zone = await deps.timezones.set(guildId, target.id, zoneInput);
    return { content: `✅ <@${target.id}>'s time zone is now **${zone}** — it's ${nowIn(deps, zone)} there.` };
  }
  const zone = await deps.timezones.set(guildId, ctx.actor.userId, zoneInput);
  return { content: `✅ Your time zone is now **${zone}** — it's ${nowIn(deps, zone)} there.` };
}

async function show(ctx: CommandContext, guildId: string, deps: TimezoneDeps): Promise<Reply> {
  const target = memberOption(ctx);
  const userId = target?.id ?? ctx.actor.userId;
  const { zone, isDefault } = await deps.timezones.get(guildId, userId);
  const who = userId === ctx.actor.userId ? 'Your' : `<@${userId}>'s`;
  if (isDefault) {
    const hint = userId === ctx.actor.userId ? ' Set yours with `/timezone set`.' : '';
    return { content: `${who} time zone is not set, so the server's **${zone}** is used — it's ${nowIn(deps, zone)} there.${hint}` };
  }
  return { content: `${who} time zone is **${zone}** — it's ${nowIn(deps, zone)} there.` };
}

/** One line per zone, west to east: `**21:30** Sun · Europe/Paris (UTC+1): @a, @b`. */
export function describeVoiceClock(channelId: string, groups: readonly ZoneGroup[]): string {
  const lines = groups.map((g) => `**${g.time}** ${g.weekday} · ${g.zone} (${g.offset}): ${g.userIds.map((id) => `<@${id}>`).join(', ')}`);
  return [`🕒 Local time for everyone in <#${channelId}>:`, ...lines].join('\n');
}

/**
 * Private by default, like every rollcall reply; `share:True` posts it in the channel for the group
 * (the seed's behaviour). Either way the names are shown as mentions without pinging anyone
 * (replies go out with `allowed_mentions: { parse: [] }`). "Not in voice" always stays private.
 */
async function voice(ctx: CommandContext, guildId: string, deps: TimezoneDeps): Promise<Reply> {
  const clock = await deps.timezones.voiceClock(guildId, ctx.actor.userId);
  if (!clock) return { content: "You're not in a voice channel. Join one and run `/timezone voice` again to see everyone's local time." };
  const share = ctx.options.boolean('share') === true;
  return { content: describeVoiceClock(clock.channelId, clock.groups), ephemeral: !share };
}

const subcommands: Record<string, (ctx: CommandContext, guildId: string, deps: TimezoneDeps) => Promise<Reply>> = { set, show, voice };

/**
 * `/timezone set|show|voice` — members' own time zones, and "what time is it for each of us" for
 * the caller's voice channel.
 * @see https://discord.com/developers/docs/interactions/application-commands#subcommands-and-subcommand-groups
 */
export const timezoneCommand: CommandHandler<'timezones' | 'clock'> = {
  uses: ['timezones', 'clock'],
  definition: {
    name: 'timezone',
    description: 'Your time zone, and the local time of everyone in your voice channel',
    ...IN_GUILDS_ONLY,
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'set',
        description: 'Set your time zone (admins: someone else’s)',
        options: [
          { type: ApplicationCommandOptionType.String, name: 'zone', description: 'IANA zone, e.g. Europe/Paris', required: true, autocomplete: true, max_length: 64 },
          { type: ApplicationCommandOptionType.User, name: 'member', description: 'Admins only: whose zone to set' },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'show',
        description: 'Show your time zone or a member’s',
        options: [{ type: ApplicationCommandOptionType.User, name: 'member', description: 'Whose zone (default: yours)' }],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'voice',
        description: 'Local time of everyone in your voice channel, by zone',
        options: [{ type: ApplicationCommandOptionType.Boolean, name: 'share', description: 'Post it in this channel for everyone to see (default: only you)' }],
      },
    ],
  },

  async execute(ctx, deps) {
    const run = subcommands[ctx.options.subcommand ?? 'show'];
    if (!run) throw new UserError(`\`/timezone ${ctx.options.subcommand}\` is not something I know.`);
    return run(ctx, ctx.guildId!, deps);
  },

  async autocomplete(ctx) {
    if (ctx.focused.name !== 'zone') return [];
    return searchZones(ctx.focused.value).map((zone) => ({ name: zone, value: zone }));
  },
};
