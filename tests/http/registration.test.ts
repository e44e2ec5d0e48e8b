import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIApplicationCommand, RESTPutAPIApplicationCommandsJSONBody } from 'discord-api-types/v10';
import { commands } from '../../src/interactions/commands/index.js';
import { describePlan, registerCommands, planRegistration } from '../../src/cli/registration.js';
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
    expect(second).toEqual({ added: [], changed: [], removed: [], unchanged: names, differences: {} });
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

const run = promisify(execFile);

describe('the printed plan of the real `npm run register`', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu.close());

  const desired = commands.map((c) => c.definition);
  const register = () =>
    run(process.execPath, ['--import', 'tsx', 'src/cli/register.ts'], {
      env: {
        ...process.env,
        DISCORD_APPLICATION_ID: emu.applicationId,
        DISCORD_PUBLIC_KEY: emu.publicKey,
        DISCORD_TOKEN: emu.token,
        DISCORD_API_URL: emu.api,
        DISCORD_GUILD_ID: emu.fixture.guildId,
      },
      timeout: 30_000,
    });

  it('prints "+" for a new command, "~" with the fields for a changed one (a dropped field included), "-" for a removed one', async () => {
    // Registered by an older rollcall: /config said something else, /timezone was admin-only and
    // age-restricted (fields today's definition no longer has), and /legacy is gone.
    const discord = new DiscordApi(createRest({ apiUrl: emu.api, token: emu.token }), emu.applicationId);
    const config = desired.find((d) => d.name === 'config')!;
    const timezone = desired.find((d) => d.name === 'timezone')!;
    expect(timezone.default_member_permissions).toBeUndefined();
    expect(timezone.nsfw).toBeUndefined();
    const older: RESTPutAPIApplicationCommandsJSONBody = [
      { ...config, description: 'old text' },
      { ...timezone, default_member_permissions: '32', nsfw: true },
      { name: 'legacy', description: 'gone', type: 1 },
    ];
    await discord.putCommands(older, emu.fixture.guildId);

    const { stdout } = await register();
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`Commands (guild ${emu.fixture.guildId}):`);
    for (const name of ['schedule', 'stats', 'privacy']) expect(lines).toContain(`  + ${name} (new)`);
    expect(lines).toContain('  ~ config (changed: description)');
    expect(lines).toContain('  ~ timezone (changed: default_member_permissions, nsfw)');
    expect(lines).toContain('  - legacy (removed)');
    expect(lines).toContain(`Registered ${desired.length} command(s).`);
    expect(emu.commands(emu.fixture.guildId).find((c) => c.name === 'timezone')).toMatchObject({ default_member_permissions: null, nsfw: false });

    const again = await register();
    expect(again.stdout.split('\n').filter((l) => /^ {2}[+~-] /.test(l))).toEqual([]);
    expect(again.stdout).toContain('Nothing to change.');
  }, 60_000);
});

describe('comparing a registered command with its definition', () => {
  const base = { id: '1', application_id: '1', version: '1', guild_id: '2', type: 1, name: 'x', description: 'x' } as APIApplicationCommand;
  const plan = (existing: Partial<APIApplicationCommand>, desired: Record<string, unknown>) =>
    planRegistration([{ ...base, ...existing } as APIApplicationCommand], [{ name: 'x', description: 'x', ...desired }]);

  it('sees a field the definition dropped as a change', () => {
    expect(plan({ contexts: [0] }, {}).differences).toEqual({ x: ['contexts'] });
    expect(plan({ integration_types: [0, 1] }, {}).differences).toEqual({ x: ['integration_types'] });
    expect(plan({ nsfw: true }, {}).differences).toEqual({ x: ['nsfw'] });
    expect(plan({ name_localizations: { fr: 'x-fr' } }, {}).differences).toEqual({ x: ['name_localizations'] });
    expect(plan({ default_member_permissions: '32' }, {}).differences).toEqual({ x: ['default_member_permissions'] });
    const withOption = { options: [{ type: 3, name: 'o', description: 'o', required: true }] } as Partial<APIApplicationCommand>;
    expect(plan(withOption, { options: [{ type: 3, name: 'o', description: 'o' }] }).differences).toEqual({ x: ['options'] });
    expect(plan(withOption, {}).differences).toEqual({ x: ['options'] });
  });

  it("takes Discord's defaults for what either side leaves out", () => {
    const discordsDefaults = { contexts: null, integration_types: [0], nsfw: false, name_localizations: null, description_localizations: null, default_member_permissions: null, dm_permission: true };
    expect(plan(discordsDefaults as Partial<APIApplicationCommand>, {}).unchanged).toEqual(['x']);
    expect(plan({}, { nsfw: false, integration_types: [0], options: [] }).unchanged).toEqual(['x']);
    const option = { type: 3, name: 'o', description: 'o' };
    expect(plan({ options: [{ ...option, required: false, name_localizations: null }] } as Partial<APIApplicationCommand>, { options: [option] }).unchanged).toEqual(['x']);
  });

  it('prints one line per command with its sign', () => {
    const text = describePlan({ added: ['a'], changed: ['b'], removed: ['c'], unchanged: ['d'], differences: { b: ['contexts', 'description'] } }, 'global');
    expect(text.split('\n')).toEqual(['Commands (global):', '  + a (new)', '  ~ b (changed: contexts, description)', '  - c (removed)', '  = d']);
  });
});
