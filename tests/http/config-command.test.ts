import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelType } from 'discord-api-types/v10';
import { ADMIN_ID, CHANNEL_ID, MEMBER_ID, MEMBER_PERMISSIONS, autocomplete, channelOpt, command, component, int, str } from '../helpers/interactions.js';
import { startHarness, type Harness } from '../helpers/server.js';

const EPHEMERAL = 64;
const asMember = { userId: MEMBER_ID, permissions: MEMBER_PERMISSIONS };
const textChannel = (id: string, type = ChannelType.GuildText) => ({ channels: { [id]: { id, type, name: 'tonight', permissions: '0' } } });

describe('/config as an admin and as a member', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.listen();
  });
  afterAll(() => h.close());

  const reply = async (interaction: unknown) => {
    const res = await h.post(interaction);
    expect(res.status).toBe(200);
    expect(res.json.type).toBe(4);
    expect(res.json.data.flags).toBe(EPHEMERAL);
    return res.json.data.content as string;
  };

  it('shows the defaults before anything is set', async () => {
    const text = await reply(command('config', 'show'));
    expect(text).toContain('Channel: not set');
    expect(text).toContain('Time zone: America/New_York');
    expect(text).toContain('Hours: 16:00 → 02:00 (11 slots)');
    expect(text).toContain('Daily message at: 07:00');
  });

  it('sets each value and shows it back', async () => {
    expect(await reply(command('config', 'channel', [channelOpt('channel', CHANNEL_ID)], {}, textChannel(CHANNEL_ID)))).toContain(`Channel: <#${CHANNEL_ID}>`);
    expect(await reply(command('config', 'timezone', [str('zone', 'europe/paris')]))).toContain('Time zone: Europe/Paris');
    expect(await reply(command('config', 'hours', [int('first', 20), int('last', 1)]))).toContain('Hours: 20:00 → 01:00 (6 slots)');
    expect(await reply(command('config', 'post-time', [str('time', '9:30')]))).toContain('Daily message at: 09:30 (Europe/Paris)');
    const row = await h.app.db.selectFrom('guild_config').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ channel_id: CHANNEL_ID, timezone: 'Europe/Paris', first_hour: 20, last_hour: 1, post_time: '09:30' });
  });

  it('refuses a member without Manage Server and changes nothing, even if the command was re-granted', async () => {
    const before = await h.app.guildConfig.get('900000000000000001');
    const text = await reply(command('config', 'timezone', [str('zone', 'Asia/Tokyo')], asMember));
    expect(text).toContain('Only server admins');
    const text2 = await reply(command('config', 'show', [], asMember));
    expect(text2).toContain('Only server admins');
    expect(await h.app.guildConfig.get('900000000000000001')).toEqual(before);
  });

  // An hour outside the declared 0–23 never reaches the handler: tests/http/option-values.test.ts.
  it.each([
    [command('config', 'timezone', [str('zone', 'Mars/Olympus')]), 'not a time zone I know'],
    [command('config', 'timezone', [str('zone', 'EST5EDT; drop table')]), 'not a time zone I know'],
    [command('config', 'hours', [int('first', 10), int('last', 2)]), 'at most 12'],
    [command('config', 'post-time', [str('time', '25:00')]), 'is not a time'],
    [command('config', 'post-time', [str('time', 'seven')]), 'is not a time'],
    // Hours 20 → 1 run until 02:00: a post before it would land inside last night's slots.
    [command('config', 'post-time', [str('time', '01:30')]), 'would land inside the previous evening, whose hours (20:00 → 01:00) run until 02:00. Post at 02:00 or later'],
    [command('config', 'post-time', [str('time', '00:00')]), 'Post at 02:00 or later'],
    // The post is at 09:30: an evening running until 10:00 would swallow it.
    [command('config', 'hours', [int('first', 22), int('last', 9)]), 'Hours 22:00 → 09:00 run until 10:00, past the daily message at 09:30'],
    [command('config', 'channel', [channelOpt('channel', '900000000000000011')], {}, textChannel('900000000000000011', ChannelType.GuildVoice)), 'not a text channel'],
  ])('rejects a bad value with a clear message and stores nothing (%#)', async (interaction, message) => {
    const before = await h.app.guildConfig.get('900000000000000001');
    expect(await reply(interaction)).toContain(message);
    expect(await h.app.guildConfig.get('900000000000000001')).toEqual(before);
  });

  it('accepts the full 12-slot range crossing midnight', async () => {
    expect(await reply(command('config', 'hours', [int('first', 15), int('last', 2)]))).toContain('(12 slots)');
  });

  it('accepts a post right at the end of the previous evening, and any post time when the evening ends by midnight', async () => {
    expect(await reply(command('config', 'post-time', [str('time', '03:00')]))).toContain('Daily message at: 03:00');
    expect(await reply(command('config', 'hours', [int('first', 18), int('last', 23)]))).toContain('Hours: 18:00 → 23:00');
    expect(await reply(command('config', 'post-time', [str('time', '00:30')]))).toContain('Daily message at: 00:30');
    expect(await reply(command('config', 'post-time', [str('time', '09:30')]))).toContain('Daily message at: 09:30');
    expect(await reply(command('config', 'hours', [int('first', 20), int('last', 1)]))).toContain('Hours: 20:00 → 01:00');
  });

  it('autocompletes time zones', async () => {
    const res = await h.post(autocomplete('config', 'timezone', { name: 'zone', value: 'new york' }));
    expect(res.json.type).toBe(8);
    expect(res.json.data.choices).toContainEqual({ name: 'America/New_York', value: 'America/New_York' });
    const paris = await h.post(autocomplete('config', 'timezone', { name: 'zone', value: 'Par' }));
    expect(paris.json.data.choices.map((c: { value: string }) => c.value)).toContain('Europe/Paris');
    expect(paris.json.data.choices.length).toBeLessThanOrEqual(25);
  });

  it('answers an unknown command and an unknown component with an ephemeral explanation', async () => {
    expect(await reply(command('nonexistent', null))).toContain("don't know the command");
    expect(await reply(component('gone:123', ['1']))).toContain('no longer works');
  });

  it('refuses to run in DMs', async () => {
    expect(await reply(command('config', 'show', [], { guildId: null, userId: ADMIN_ID }))).toContain('inside a server');
  });
});

describe('configuration survives a restart', () => {
  it('keeps values on the same SQLite file', async () => {
    const h = await startHarness();
    await h.send(command('config', 'timezone', [str('zone', 'Asia/Tokyo')]));
    await h.send(command('config', 'post-time', [str('time', '18:05')]));
    await h.restart();
    const res = await h.send(command('config', 'show'));
    expect(res.json.data.content).toContain('Time zone: Asia/Tokyo');
    expect(res.json.data.content).toContain('Daily message at: 18:05');
    await h.close();
  });
});
