import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits, type APIApplicationCommandInteractionDataOption } from 'discord-api-types/v10';
import { configCommand } from '../../src/interactions/commands/config.js';
import { CHANNEL_ID, GUILD_ID, MEMBER_ID, MEMBER_PERMISSIONS, channelOpt, command, int, str } from '../helpers/interactions.js';
import { tablesOf } from '../helpers/engine.js';
import { startHarness, type Harness } from '../helpers/server.js';

const ROLE_ID = '900000000000000300';
const REFUSAL = 'Only server admins';
const role = (name: string, value: string) => ({ type: ApplicationCommandOptionType.Role as const, name, value });
const resolvedChannel = { channels: { [CHANNEL_ID]: { id: CHANNEL_ID, type: ChannelType.GuildText, name: 'tonight', permissions: '0' } } };
const resolvedRole = { roles: { [ROLE_ID]: { id: ROLE_ID, name: 'Owls', position: 1, color: 0, hoist: false, managed: false, mentionable: false, permissions: '0' } } };

/** Each /config subcommand with values an admin could set: refused, any of them would change a row. */
const SUBCOMMANDS: Record<string, { options: APIApplicationCommandInteractionDataOption[]; resolved?: unknown }> = {
  show: { options: [] },
  'post-now': { options: [] },
  channel: { options: [channelOpt('channel', CHANNEL_ID)], resolved: resolvedChannel },
  timezone: { options: [str('zone', 'Asia/Tokyo')] },
  hours: { options: [int('first', 18), int('last', 23)] },
  'post-time': { options: [str('time', '09:15')] },
  rank: { options: [role('role', ROLE_ID), str('emoji', '🦊')], resolved: resolvedRole },
  'rank-remove': { options: [role('role', ROLE_ID)], resolved: resolvedRole },
  'voice-greeting': { options: [str('state', 'on')] },
  'voice-greeting-delay': { options: [int('seconds', 45)] },
  retention: { options: [int('days', 30)] },
  party: { options: [str('size', '5'), role('role', ROLE_ID)], resolved: resolvedRole },
};
/** What GUILD_CREATE would have told the bot: the role exists. */
const rememberGuild = (h: Harness) => h.app.guilds.remember({ guildId: GUILD_ID, name: 'Night Owls', afkChannelId: null, roles: [{ id: ROLE_ID, name: 'Owls', position: 1 }], channels: [] });
const configCommandOf = (sub: string, as: Parameters<typeof command>[3]) => command('config', sub, SUBCOMMANDS[sub]!.options, as, SUBCOMMANDS[sub]!.resolved);

/** Every row of every table but `members` (refreshed for free by any interaction, by design). */
async function snapshot(h: Harness): Promise<Record<string, unknown[]>> {
  const names = [...(await tablesOf(h.app.db)).keys()].filter((name) => name !== 'members');
  const rows = async (name: string) => {
    const all = (await sql<Record<string, unknown>>`select * from ${sql.table(name)}`.execute(h.app.db)).rows.map((r) => JSON.stringify(r));
    return all.sort().map((r) => JSON.parse(r) as unknown); // no rowid on PostgreSQL: an order of their own
  };
  return Object.fromEntries(await Promise.all(names.map(async (name) => [name, await rows(name)] as const)));
}

const asMember = { userId: MEMBER_ID, permissions: MEMBER_PERMISSIONS };
/** Administrator alone (0x8), without Manage Server: Discord grants it every permission. */
const asAdministrator = { userId: '900000000000000400', permissions: String(PermissionFlagsBits.Administrator) };

describe('/config is refused to a member without Manage Server, for every subcommand', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.listen();
    await rememberGuild(h);
    // Something for rank-remove to remove.
    expect((await h.send(configCommandOf('rank', {}))).json.data.content).toMatch(/^✅/);
  });
  afterAll(() => h.close());

  it('covers every subcommand /config registers', () => {
    const registered = (configCommand.definition.options ?? []).map((o) => o.name).sort();
    expect(Object.keys(SUBCOMMANDS).sort()).toEqual(registered);
  });

  it.each(Object.keys(SUBCOMMANDS))('/config %s → an ephemeral refusal over real HTTP and through inject; nothing changes in SQLite', async (sub) => {
    const before = await snapshot(h);
    for (const res of [await h.post(configCommandOf(sub, asMember)), await h.send(configCommandOf(sub, asMember))]) {
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ type: 4, data: { flags: 64 } });
      expect(res.json.data.content).toContain(REFUSAL);
    }
    expect(await snapshot(h)).toEqual(before);
  });
});

describe('/config for a member with Administrator but not Manage Server', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await rememberGuild(h);
    await h.listen();
  });
  afterAll(() => h.close());

  it('shows the settings', async () => {
    const res = await h.post(configCommandOf('show', asAdministrator));
    expect(res.json.data.content).not.toContain(REFUSAL);
    expect(res.json.data.content).toContain('Time zone: America/New_York');
  });

  it.each(['channel', 'timezone', 'hours', 'post-time', 'rank', 'rank-remove', 'voice-greeting', 'voice-greeting-delay', 'retention'])('may change /config %s, and the row is kept', async (sub) => {
    const before = await snapshot(h);
    const res = await h.post(configCommandOf(sub, asAdministrator));
    expect(res.json).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(res.json.data.content).toMatch(/^✅/);
    expect(await snapshot(h)).not.toEqual(before);
  });

  it('kept what it set', async () => {
    const settings = await h.app.guildConfig.get(GUILD_ID);
    expect(settings).toMatchObject({ channelId: CHANNEL_ID, timezone: 'Asia/Tokyo', firstHour: 18, lastHour: 23, postTime: '09:15' });
    expect(await h.app.retention.days(GUILD_ID)).toBe(30);
  });
});
