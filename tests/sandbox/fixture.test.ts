/**
 * The fixture: deterministic ids, overrides, generated members, permission overwrites.
 */
import { REST } from '@discordjs/rest';
import { PermissionFlagsBits, Routes } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultFixtureInput, generateMembers, snowflakeAt, snowflakeTime, startEmulator, type Emulator } from '../../src/sandbox/index.js';

const started: Emulator[] = [];
async function start(...args: Parameters<typeof startEmulator>) {
  const emu = await startEmulator(...args);
  started.push(emu);
  return emu;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.close()));
});

describe('fixture', () => {
  it('has the same ids on every run and the documented cast', async () => {
    const [a, b] = [await start(), await start()];
    expect(a.fixture).toEqual(b.fixture);
    expect(a.token).toBe(b.token);
    expect(a.publicKey).not.toBe(b.publicKey);
    const f = a.fixture;
    expect(Object.keys(f.channels)).toEqual(expect.arrayContaining(['tonight', 'general', 'squadA', 'squadB', 'afk']));
    expect(Object.keys(f.members)).toEqual(expect.arrayContaining(['alice', 'bob', 'carol', 'dan', 'erin', 'frank', 'beep', 'rollcall']));
    expect(f.members.rollcall.id).toBe(a.applicationId);
    expect(f.botUserId).toBe(a.applicationId);
    expect(snowflakeTime(f.guildId)).toBeLessThan(Date.now());
    expect(snowflakeTime(snowflakeAt(1_700_000_000_123))).toBe(1_700_000_000_123);
  });

  it('takes overrides and generated members, and keeps the bot a member', async () => {
    const base = defaultFixtureInput();
    const emu = await start({ fixture: { members: base.members.filter((m) => m.key === 'alice'), extraMembers: generateMembers(300) } });
    expect(Object.keys(emu.fixture.members)).toHaveLength(302);
    expect(emu.fixture.members.member0300?.username).toBe('member0300');
    const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    await expect(rest.get(Routes.guild(emu.fixture.guildId))).resolves.toMatchObject({ name: 'Night Owls' });
    await emu.joinVoice(emu.fixture.members.member0001!.id, emu.fixture.channels.squadA);
    expect(emu.voiceStates()).toHaveLength(1);
  });

  it('applies channel overwrites: no View → 50001, no Send → 50013', async () => {
    const base = defaultFixtureInput();
    const emu = await start({
      fixture: {
        channels: [
          ...base.channels,
          {
            key: 'staff',
            id: '1085700000000000001',
            name: 'staff',
            type: 'text',
            overwrites: [
              { roleKey: 'everyone', deny: PermissionFlagsBits.ViewChannel },
              { roleKey: 'moderator', allow: PermissionFlagsBits.ViewChannel },
            ],
          },
          { key: 'announcements', id: '1085700000000000002', name: 'announcements', type: 'text', overwrites: [{ memberKey: 'rollcall', deny: PermissionFlagsBits.SendMessages }] },
        ],
      },
    });
    const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    await expect(rest.post(Routes.channelMessages(emu.fixture.channels.staff!), { body: { content: 'x' } })).rejects.toMatchObject({ status: 403, code: 50001 });
    await expect(rest.post(Routes.channelMessages(emu.fixture.channels.announcements!), { body: { content: 'x' } })).rejects.toMatchObject({ status: 403, code: 50013 });
    await expect(rest.get(Routes.channel(emu.fixture.channels.announcements!))).resolves.toMatchObject({ name: 'announcements' });
    expect(emu.world.permissionsIn(emu.fixture.channels.staff!, emu.fixture.members.bob.id) & PermissionFlagsBits.ViewChannel).toBe(PermissionFlagsBits.ViewChannel);
    expect(emu.world.permissionsIn(emu.fixture.channels.staff!, emu.fixture.members.dan.id) & PermissionFlagsBits.ViewChannel).toBe(0n);
  });
});
