import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { UserError } from '../../shared/errors.js';
import { PARTY_SIZE, parsePartySize, type PartySettings } from '../../shared/services/party-settings.js';
import type { CommandContext, Reply } from '../handler.js';
import type { ConfigDeps } from './config-deps.js';

/** The party alert's line in `/config show`. */
export function describeParty(s: PartySettings): string {
  if (s.size === 0) return 'Party alert: off — `/config party <size> [role]` posts "🎉 21:00 has 5" once per hour when that many are coming.';
  return `Party alert: at **${s.size}** members for the same hour, once per hour and day, pinging ${s.roleId ? `<@&${s.roleId}> and ` : ''}the members who opted in (\`/remind party on\`).`;
}

/** `/config party <size|off> [role]`. */
export const partySubcommands: Record<string, (ctx: CommandContext, guildId: string, deps: ConfigDeps) => Promise<Reply>> = {
  party: async (ctx, guildId, deps) => {
    const text = ctx.options.string('size');
    if (text === undefined) throw new UserError('The `size` option is required.');
    const size = parsePartySize(text);
    const role = ctx.options.role('role');
    const settings = await deps.partySettings.set(guildId, size, role?.id ?? null);
    const what = size === 0 ? 'The party alert is off.' : `When ${size} members are coming for the same hour, I'll say so in the daily channel, once per hour.`;
    return { content: `✅ ${what}\n\n${describeParty(settings)}` };
  },
};

/**
 * Its entry in the `/config` definition. `size` is a string so that `off` can be typed; the range
 * is checked by the store (no declared range: out-of-range values get a clear ephemeral answer).
 */
export const partyOptions = [
  {
    type: ApplicationCommandOptionType.Subcommand as const,
    name: 'party',
    description: 'Announce when enough members are coming for the same hour (off by default)',
    options: [
      { type: ApplicationCommandOptionType.String as const, name: 'size', description: `Members for the same hour, ${PARTY_SIZE.min}–${PARTY_SIZE.max}, or off`, required: true, max_length: 5 },
      { type: ApplicationCommandOptionType.Role as const, name: 'role', description: 'A role to ping with the alert (besides members who opted in); left out = no role' },
    ],
  },
];
