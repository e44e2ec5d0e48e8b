/**
 * Who a message pings, as Discord decides it from the content and `allowed_mentions`, and the DMs a
 * user got, read through the control API.
 */
import { REST } from '@discordjs/rest';
import { Routes, type APIChannel, type APIMessage } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';

let emu: Emulator;
afterEach(async () => {
  await emu?.close();
});

describe('mentions', () => {
  it('pings what the content mentions, limited by allowed_mentions (absent = everything written)', async () => {
    emu = await startEmulator();
    const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    const { alice, bob, carol } = emu.fixture.members;
    const role = emu.fixture.roles.veteran;
    const content = `<@${alice.id}> <@!${bob.id}> <@${carol.id}> <@&${role}> @everyone`;
    const send = async (body: Record<string, unknown>) => (await rest.post(Routes.channelMessages(emu.fixture.channels.tonight), { body: { content, ...body } })) as APIMessage;

    const all = await send({});
    expect(all.mentions.map((u) => u.id)).toEqual([alice.id, bob.id, carol.id]);
    expect(all.mention_roles).toEqual([role]);
    expect(all.mention_everyone).toBe(true);

    const none = await send({ allowed_mentions: { parse: [] } });
    expect([none.mentions, none.mention_roles, none.mention_everyone]).toEqual([[], [], false]);

    const some = await send({ allowed_mentions: { parse: [], users: [bob.id, '1234567890123'], roles: [role] } });
    expect(some.mentions.map((u) => u.id)).toEqual([bob.id]);
    expect(some.mention_roles).toEqual([role]);
    expect(some.mention_everyone).toBe(false);
    expect(emu.message(emu.fixture.channels.tonight, some.id)!.allowed_mentions).toEqual({ parse: [], users: [bob.id, '1234567890123'], roles: [role] });
  });

  it("refuses allowed_mentions Discord refuses (50035): parse and a list of the same kind, unknown parse types, ids that aren't snowflakes", async () => {
    emu = await startEmulator();
    const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    const send = (allowed_mentions: unknown) => rest.post(Routes.channelMessages(emu.fixture.channels.tonight), { body: { content: 'hi', allowed_mentions } });
    await expect(send({ parse: ['users'], users: [emu.fixture.members.bob.id] })).rejects.toMatchObject({ code: 50035 });
    await expect(send({ parse: ['members'] })).rejects.toMatchObject({ code: 50035 });
    await expect(send({ users: ['bob'] })).rejects.toMatchObject({ code: 50035 });
    expect(emu.messages(emu.fixture.channels.tonight)).toEqual([]);
  });

  it("lists a user's DMs at GET /control/dms/:user, by fixture key or id", async () => {
    emu = await startEmulator();
    const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    expect(await (await fetch(`${emu.controlUrl}/dms/dan`)).json()).toEqual([]);
    const dm = (await rest.post(Routes.userChannels(), { body: { recipient_id: emu.fixture.members.dan.id } })) as APIChannel;
    await rest.post(Routes.channelMessages(dm.id), { body: { content: '⏰ soon' } });
    const byKey = (await (await fetch(`${emu.controlUrl}/dms/dan`)).json()) as APIMessage[];
    expect(byKey.map((m) => m.content)).toEqual(['⏰ soon']);
    const byId = (await (await fetch(`${emu.controlUrl}/dms/${emu.fixture.members.dan.id}`)).json()) as APIMessage[];
    expect(byId.map((m) => m.id)).toEqual(byKey.map((m) => m.id));
  });
});
