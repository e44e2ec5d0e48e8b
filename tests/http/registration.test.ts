import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIApplicationCommand } from 'discord-api-types/v10';
import { commands } from '../../src/http/commands/index.js';
import { registerCommands, planRegistration } from '../../src/cli/registration.js';
import { createRest, DiscordApi } from '../../src/shared/discord/rest.js';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';

describe('npm run register, against the emulator', () => {
  let emu: Emulator;
  let discord: DiscordApi;
  beforeAll(async () => {
    emu = await startEmulator();
    discord = new DiscordApi(createRest({ apiUrl: emu.api, token: emu.token }), emu.applicationId);
  });
  afterAll(() => emu.close());

  const desired = commands.map((c) => c.definition);
  const names = desired.map((d) => d.name);
  const puts = () => emu.events.filter((e) => e.kind === 'rest' && e.method === 'PUT' && e.path.endsWith('/commands')).length;

  it('prints what it adds, registers in the guild, and changes nothing the second time', async () => {
    const out: string[] = [];
    const guild = emu.fixture.guildId;
    const first = await registerCommands(discord, desired, guild, (l) => out.push(l));
    expect(first.added).toEqual(names);
    expect(out.join('\n')).toContain('+ config (new)');
    expect(puts()).toBe(1);
    expect(emu.commands(guild).map((c) => c.name)).toEqual(names);
    expect(emu.commands(guild).find((c) => c.name === 'config')).toMatchObject({ default_member_permissions: '32', contexts: [0] });

    const second = await registerCommands(discord, desired, guild, (l) => out.push(l));
    expect(second).toEqual({ added: [], changed: [], removed: [], unchanged: names });
    expect(out.at(-1)).toBe('Nothing to change.');
    expect(puts()).toBe(1);
  });

  it('registers globally when no guild is given', async () => {
    await registerCommands(discord, desired, undefined, () => {});
    expect(emu.commands().map((c) => c.name)).toEqual(names);
  });

  it('notices a changed description and a command to remove', () => {
    const current = [
      { id: '1', application_id: '1', version: '1', type: 1, name: 'config', description: 'old text', default_member_permissions: '32' },
      { id: '2', application_id: '1', version: '1', type: 1, name: 'legacy', description: 'gone', default_member_permissions: null },
    ] as APIApplicationCommand[];
    const plan = planRegistration(current, desired);
    expect(plan.changed).toEqual(['config']);
    expect(plan.removed).toEqual(['legacy']);
    expect(plan.added).toEqual(names.filter((n) => n !== 'config'));
  });

  it('fails clearly with a bad token', async () => {
    const bad = new DiscordApi(createRest({ apiUrl: emu.api, token: 'not-the-token-0123456789' }), emu.applicationId);
    await expect(registerCommands(bad, desired, undefined, () => {})).rejects.toThrow(/401|Unauthorized/);
  });
});
