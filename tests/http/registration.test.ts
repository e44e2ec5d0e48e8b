import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { APIApplicationCommand } from 'discord-api-types/v10';
import { commands } from '../../src/http/commands/index.js';
import { registerCommands, planRegistration } from '../../src/cli/registration.js';
import { createRest, DiscordApi } from '../../src/shared/discord/rest.js';
import { APPLICATION_ID, GUILD_ID } from '../helpers/interactions.js';
import { startRestStandin } from '../helpers/rest-standin.js';

describe('npm run register', () => {
  let registered: APIApplicationCommand[] = [];
  let rest: Awaited<ReturnType<typeof startRestStandin>>;
  let discord: DiscordApi;
  beforeAll(async () => {
    // Echo like Discord: stores what was PUT, adds ids and defaults it fills in.
    rest = await startRestStandin({
      'GET /api/v10/applications/\\d+/(guilds/\\d+/)?commands': () => registered,
      'PUT /api/v10/applications/\\d+/(guilds/\\d+/)?commands': (r) => {
        registered = (JSON.parse(r.body) as APIApplicationCommand[]).map((c, i) => ({
          ...c,
          id: String(1000 + i),
          application_id: APPLICATION_ID,
          version: '1',
          type: 1,
          nsfw: false,
          dm_permission: false,
          name_localizations: null,
          description_localizations: null,
        }));
        return registered;
      },
    });
    discord = new DiscordApi(createRest({ apiUrl: rest.api, token: 'test-token-0123456789abcdef' }), APPLICATION_ID);
  });
  afterAll(() => rest.close());

  it('prints what it adds, registers, and changes nothing the second time', async () => {
    const out: string[] = [];
    const desired = commands.map((c) => c.definition);
    const first = await registerCommands(discord, desired, GUILD_ID, (l) => out.push(l));
    const names = desired.map((d) => d.name);
    expect(first.added).toEqual(names);
    expect(out.join('\n')).toContain('+ config (new)');
    const puts = () => rest.requests.filter((r) => r.method === 'PUT').length;
    expect(puts()).toBe(1);
    expect(rest.requests.every((r) => r.auth === 'Bot test-token-0123456789abcdef')).toBe(true);
    expect(rest.requests[0]!.path).toBe(`/api/v10/applications/${APPLICATION_ID}/guilds/${GUILD_ID}/commands`);

    const second = await registerCommands(discord, desired, GUILD_ID, (l) => out.push(l));
    expect(second).toEqual({ added: [], changed: [], removed: [], unchanged: names });
    expect(out.at(-1)).toBe('Nothing to change.');
    expect(puts()).toBe(1);
  });

  it('notices a changed description and a command to remove', () => {
    const current = [
      { id: '1', application_id: APPLICATION_ID, version: '1', type: 1, name: 'config', description: 'old text', default_member_permissions: '32' },
      { id: '2', application_id: APPLICATION_ID, version: '1', type: 1, name: 'legacy', description: 'gone', default_member_permissions: null },
    ] as APIApplicationCommand[];
    const plan = planRegistration(current, commands.map((c) => c.definition));
    expect(plan.changed).toEqual(['config']);
    expect(plan.removed).toEqual(['legacy']);
    expect(plan.added).toEqual(commands.map((c) => c.definition.name).filter((n) => n !== 'config'));
  });
});
