/**
 * Interactions: the emulator signs and POSTs them to a plain node:http "bot" that verifies the
 * signature with discord-interactions; responses, deferrals, follow-ups and components are recorded.
 */
import { REST } from '@discordjs/rest';
import { Routes, type APIMessage } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';
import { eventually, startBotStub, tinyPng, type BotStub } from './helpers.js';

let emu: Emulator;
let bot: BotStub;

afterEach(async () => {
  await bot?.close();
  await emu?.close();
});

const COMMANDS = [
  {
    name: 'config',
    description: 'Configure rollcall',
    default_member_permissions: String(1 << 5),
    options: [
      { type: 1, name: 'show', description: 'Show the configuration' },
      {
        type: 2,
        name: 'channel',
        description: 'Channel settings',
        options: [{ type: 1, name: 'set', description: 'Set it', options: [{ type: 7, name: 'target', description: 'Where', required: true }] }],
      },
    ],
  },
  { name: 'whois', description: 'Who is it', options: [{ type: 6, name: 'member', description: 'A member', required: true }] },
  { name: 'timezone', description: 'Set your zone', options: [{ type: 3, name: 'zone', description: 'IANA zone', autocomplete: true }] },
];

async function setup(respond: (i: Record<string, any>) => unknown) {
  emu = await startEmulator();
  bot = await startBotStub(emu.publicKey, respond);
  emu.setInteractionsUrl(bot.url);
  const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
  await rest.put(Routes.applicationGuildCommands(emu.applicationId, emu.fixture.guildId), { body: COMMANDS });
  return { rest, ch: emu.fixture.channels.tonight, m: emu.fixture.members };
}

describe('interactions', () => {
  it('sends a signed APPLICATION_COMMAND with a realistic member and records the reply', async () => {
    const { ch, m } = await setup((i) => ({ type: 4, data: { content: `config for ${i.member.user.username}` } }));
    const r = await emu.runCommand(m.alice.id, 'config', [{ type: 1, name: 'show', options: [] }]);
    expect(r.status).toBe(200);
    expect(r.error).toBeNull();
    expect(bot.received).toHaveLength(1);
    const sent = bot.received[0]!;
    expect(sent.signatureValid).toBe(true);
    expect(Number(sent.headers['x-signature-timestamp'])).toBeCloseTo(Date.now() / 1000, -1);
    expect(sent.body).toMatchObject({
      type: 2,
      version: 1,
      application_id: emu.applicationId,
      guild_id: emu.fixture.guildId,
      channel_id: ch,
      channel: { id: ch, name: 'tonight', type: 0 },
      locale: 'en-US',
      guild_locale: 'en-US',
      token: expect.any(String),
      id: expect.any(String),
      app_permissions: expect.stringMatching(/^\d+$/),
      data: { name: 'config', type: 1, guild_id: emu.fixture.guildId, options: [{ type: 1, name: 'show', options: [] }] },
      member: { nick: 'Al', user: { id: m.alice.id, username: 'alice' }, roles: [emu.fixture.roles.admin, emu.fixture.roles.member] },
    });
    const permissions = BigInt(sent.body.member.permissions);
    expect(permissions & 8n).toBe(8n);
    const registered = emu.commands(emu.fixture.guildId).find((c) => c.name === 'config');
    expect(sent.body.data.id).toBe(registered?.id);
    const final = await r.final();
    expect(final).toMatchObject({ content: 'config for alice', type: 20, author: { id: emu.applicationId }, webhook_id: emu.applicationId, interaction_metadata: { user: { id: m.alice.id } } });
    expect(emu.messages(ch).map((x) => x.content)).toEqual(['config for alice']);
  });

  it('computes permissions from roles (Moderator has ManageGuild) and enforces default_member_permissions', async () => {
    const { m } = await setup(() => ({ type: 4, data: { content: 'ok' } }));
    await emu.runCommand(m.bob.id, 'config', [{ name: 'show' }]);
    const perms = BigInt(bot.received[0]!.body.member.permissions);
    expect(perms & (1n << 5n)).toBe(1n << 5n);
    expect(perms & 8n).toBe(0n);
    await expect(emu.runCommand(m.dan.id, 'config', [{ name: 'show' }])).rejects.toThrow(/default_member_permissions/);
    await expect(emu.runCommand(m.dan.id, 'nope')).rejects.toThrow(/not registered/);
  });

  it('nests subcommand groups and resolves USER and CHANNEL options', async () => {
    const { m } = await setup(() => ({ type: 4, data: { content: 'ok' } }));
    await emu.runCommand(m.alice.id, 'config', [{ name: 'channel', options: [{ name: 'set', options: [{ name: 'target', value: emu.fixture.channels.general }] }] }]);
    expect(bot.received[0]!.body.data.options).toEqual([
      { name: 'channel', type: 2, options: [{ name: 'set', type: 1, options: [{ name: 'target', type: 7, value: emu.fixture.channels.general }] }] },
    ]);
    expect(bot.received[0]!.body.data.resolved.channels[emu.fixture.channels.general]).toMatchObject({ name: 'general', type: 0, permissions: expect.any(String) });
    await emu.runCommand(m.dan.id, 'whois', [{ name: 'member', value: m.carol.id }]);
    const resolved = bot.received[1]!.body.data.resolved;
    expect(resolved.users[m.carol.id]).toMatchObject({ username: 'carol.dev' });
    expect(resolved.members[m.carol.id]).toMatchObject({ nick: 'Caz', permissions: expect.any(String) });
    expect(resolved.members[m.carol.id]).not.toHaveProperty('user');
  });

  it('shows ephemeral replies only to their member', async () => {
    const { rest, ch, m } = await setup(() => ({ type: 4, data: { content: 'only you', flags: 64 } }));
    const r = await emu.runCommand(m.bob.id, 'whois', [{ name: 'member', value: m.alice.id }]);
    const final = await r.final();
    expect((final.flags ?? 0) & 64).toBe(64);
    expect(final.ephemeral_for).toBe(m.bob.id);
    expect(emu.messages(ch)).toHaveLength(0);
    expect(emu.messages(ch, { as: m.bob.id }).map((x) => x.content)).toEqual(['only you']);
    expect(emu.messages(ch, { as: m.alice.id })).toHaveLength(0);
    expect(await rest.get(Routes.channelMessages(ch))).toEqual([]);
  });

  it('defers, then PATCH @original and a multipart follow-up with a PNG complete it', async () => {
    const { rest, ch, m } = await setup(() => ({ type: 5 }));
    const r = await emu.runCommand(m.carol.id, 'whois', [{ name: 'member', value: m.dan.id }]);
    expect(r.response).toEqual({ type: 5 });
    const token = bot.received[0]!.body.token as string;
    const loading = emu.messages(ch)[0];
    expect(loading?.flags).toBe(128);
    const pending = r.final(5000);
    const edited = (await rest.patch(Routes.webhookMessage(emu.applicationId, token, '@original'), { body: { content: 'Dan plays at 21:00' }, auth: false })) as APIMessage;
    expect(edited.flags).toBe(0);
    expect((await pending).content).toBe('Dan plays at 21:00');
    const png = tinyPng(16, 9);
    const followup = (await rest.post(Routes.webhook(emu.applicationId, token), {
      body: { content: 'chart' },
      files: [{ name: 'week.png', data: png, contentType: 'image/png' }],
      auth: false,
    })) as APIMessage;
    expect(followup.attachments[0]).toMatchObject({ filename: 'week.png', width: 16, height: 9 });
    const stored = emu.message(ch, followup.id);
    expect(stored?.files[0]?.bytes.equals(png)).toBe(true);
    expect(stored?.files[0]?.content_type).toBe('image/png');
    const original = (await rest.get(Routes.webhookMessage(emu.applicationId, token, '@original'), { auth: false })) as APIMessage;
    expect(original.content).toBe('Dan plays at 21:00');
    await expect(rest.patch(Routes.webhookMessage(emu.applicationId, 'bad-token', '@original'), { body: { content: 'x' }, auth: false })).rejects.toMatchObject({ code: 10015 });
  });

  it('lets the first follow-up replace a deferred "thinking" message, like Discord', async () => {
    const { rest, ch, m } = await setup(() => ({ type: 5, data: { flags: 64 } }));
    const r = await emu.runCommand(m.carol.id, 'whois', [{ name: 'member', value: m.dan.id }]);
    const token = bot.received[0]!.body.token as string;
    await rest.post(Routes.webhook(emu.applicationId, token), { body: { content: 'done' }, auth: false });
    const final = await r.final(2000);
    expect(final).toMatchObject({ content: 'done', ephemeral_for: m.carol.id });
    expect(emu.messages(ch, { as: m.carol.id })).toHaveLength(1);
  });

  it('accepts the response through the callback endpoint, once', async () => {
    const holder: { rest?: REST } = {};
    const { ch, m, rest } = await setup(async (i) => {
      const rest = holder.rest as REST;
      await rest.post(Routes.interactionCallback(i.id, i.token), { body: { type: 4, data: { content: 'via callback' } }, auth: false });
      await expect(rest.post(Routes.interactionCallback(i.id, i.token), { body: { type: 4, data: { content: 'again' } }, auth: false })).rejects.toMatchObject({ code: 40060 });
      return undefined;
    });
    holder.rest = rest;
    const r = await emu.runCommand(m.alice.id, 'config', [{ name: 'show' }]);
    expect(r.status).toBe(204);
    expect(r.error).toBeNull();
    expect((await r.final()).content).toBe('via callback');
    expect(emu.messages(ch)).toHaveLength(1);
  });

  it('sends component interactions for select menus and buttons with the message', async () => {
    let step = 0;
    const { rest, ch, m } = await setup((i) => {
      step += 1;
      if (i.type === 3 && i.data.component_type === 3) return { type: 7, data: { content: `picked ${i.data.values.join(',')}` } };
      if (i.type === 3 && i.data.component_type === 2) return { type: 6 };
      return { type: 4, data: { content: `step ${step}` } };
    });
    const msg = (await rest.post(Routes.channelMessages(ch), {
      body: {
        content: 'When?',
        components: [
          {
            type: 1,
            components: [
              {
                type: 3,
                custom_id: 'slots:2026-11-23',
                min_values: 1,
                max_values: 3,
                options: [
                  { label: '20:00', value: '20' },
                  { label: '21:00', value: '21' },
                  { label: '22:00', value: '22' },
                ],
              },
            ],
          },
          {
            type: 1,
            components: [
              { type: 2, style: 2, custom_id: 'refresh', label: 'Refresh' },
              { type: 2, style: 5, url: 'https://example.com', label: 'Docs' },
            ],
          },
        ],
      },
    })) as APIMessage;
    const select = await emu.selectMenu(m.carol.id, msg.id, 'slots:2026-11-23', ['20', '21']);
    const sent = bot.received[0]!.body;
    expect(sent).toMatchObject({
      type: 3,
      data: { custom_id: 'slots:2026-11-23', component_type: 3, values: ['20', '21'] },
      message: { id: msg.id, content: 'When?' },
      member: { user: { id: m.carol.id } },
    });
    expect((await select.final()).content).toBe('picked 20,21');
    expect(emu.counters.edits).toBe(1);
    await expect(emu.selectMenu(m.carol.id, msg.id, 'slots:2026-11-23', ['23'])).rejects.toThrow(/not options/);
    await expect(emu.pressButton(m.carol.id, msg.id, 'nope')).rejects.toThrow(/no component/);

    const press = await emu.pressButton(m.dan.id, msg.id, 'refresh');
    expect(press.response).toEqual({ type: 6 });
    const pending = press.final(3000);
    const token = bot.received[1]!.body.token as string;
    await rest.patch(Routes.webhookMessage(emu.applicationId, token, '@original'), { body: { content: 'refreshed' }, auth: false });
    expect((await pending).content).toBe('refreshed');
    expect(emu.message(ch, msg.id)?.content).toBe('refreshed');
  });

  it('returns autocomplete choices for the focused option', async () => {
    const { m } = await setup((i) => {
      const focused = i.data.options.find((o: any) => o.focused);
      return { type: 8, data: { choices: [{ name: `${focused.value}ope/Berlin`, value: 'Europe/Berlin' }] } };
    });
    const choices = await emu.autocomplete(m.erin.id, 'timezone', [{ name: 'zone', value: 'Eur', focused: true }]);
    expect(choices).toEqual([{ name: 'Europe/Berlin', value: 'Europe/Berlin' }]);
    expect(bot.received[0]!.body).toMatchObject({ type: 4, locale: 'fr', data: { name: 'timezone', options: [{ name: 'zone', type: 3, value: 'Eur', focused: true }] } });
  });

  it('reports invalid responses and slow bots the way Discord would fail the interaction', async () => {
    const { m } = await setup((i) => (i.data.name === 'config' ? { type: 6 } : { type: 4, data: { content: 'x'.repeat(2001) } }));
    const wrongType = await emu.runCommand(m.alice.id, 'config', [{ name: 'show' }]);
    expect(wrongType.error).toMatch(/50035/);
    const tooLong = await emu.runCommand(m.alice.id, 'whois', [{ name: 'member', value: m.bob.id }]);
    expect(tooLong.error).toMatch(/BASE_TYPE_MAX_LENGTH/);
  });

  it('verifies the endpoint like the Developer Portal (PING, bad signature → 401)', async () => {
    await setup(() => ({ type: 4, data: { content: 'x' } }));
    await expect(emu.verifyInteractionsEndpoint()).resolves.toMatchObject({ ok: true, ping: 200, badSignature: 401 });
    await eventually(() => bot.received.length === 1);
  });

  it('refuses a callback after the 3 s window (10062) and shows member changes in later payloads', async () => {
    emu = await startEmulator({ interactionCallbackWindowMs: 50 });
    const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    await rest.put(Routes.applicationCommands(emu.applicationId), { body: COMMANDS });
    const late: unknown[] = [];
    bot = await startBotStub(emu.publicKey, async (i) => {
      await new Promise((r) => setTimeout(r, 100));
      late.push(await rest.post(Routes.interactionCallback(i.id, i.token), { body: { type: 4, data: { content: 'late' } }, auth: false }).catch((e: unknown) => e));
      return undefined;
    });
    emu.setInteractionsUrl(bot.url);
    const m = emu.fixture.members;
    const r = await emu.runCommand(m.frank.id, 'whois', [{ name: 'member', value: m.bob.id }]);
    expect(late[0]).toMatchObject({ code: 10062, status: 404 });
    expect(r.error).toBe('empty response body');

    await emu.updateMember(m.frank.id, { nick: 'Frank the Tank', roles: [emu.fixture.roles.moderator] });
    await emu.runCommand(m.frank.id, 'whois', [{ name: 'member', value: m.bob.id }]);
    expect(bot.received[1]!.body.member).toMatchObject({ nick: 'Frank the Tank', roles: [emu.fixture.roles.moderator] });
    await emu.joinVoice(m.frank.id, emu.fixture.channels.squadA);
    await emu.removeMember(m.frank.id);
    expect(emu.voiceStates()).toEqual([]);
    const newcomer = await emu.addMember({ username: 'gina', globalName: 'Gina', roles: [emu.fixture.roles.member] });
    await emu.runCommand(newcomer, 'whois', [{ name: 'member', value: m.bob.id }]);
    expect(bot.received[2]!.body.member.user).toMatchObject({ id: newcomer, username: 'gina' });
  });

  it('records a modal and sends its submission', async () => {
    const { ch, m } = await setup((i) =>
      i.type === 2
        ? { type: 9, data: { custom_id: 'note', title: 'Add a note', components: [{ type: 1, components: [{ type: 4, custom_id: 'text', label: 'Note', style: 1 }] }] } }
        : { type: 4, data: { content: `noted: ${i.data.components[0].components[0].value}`, flags: 64 } },
    );
    const r = await emu.runCommand(m.dan.id, 'whois', [{ name: 'member', value: m.bob.id }]);
    expect(r.response).toMatchObject({ type: 9, data: { custom_id: 'note' } });
    await expect(r.final()).rejects.toThrow(/no message/);
    const submit = await emu.submitModal(m.dan.id, 'note', { text: 'late by 10 min' });
    expect(bot.received[1]!.body).toMatchObject({ type: 5, data: { custom_id: 'note', components: [{ type: 1, components: [{ type: 4, custom_id: 'text', value: 'late by 10 min' }] }] } });
    expect((await submit.final()).content).toBe('noted: late by 10 min');
    expect(emu.messages(ch, { as: m.dan.id })).toHaveLength(1);
  });
});
