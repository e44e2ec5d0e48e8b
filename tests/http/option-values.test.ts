import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationCommandOptionType, InteractionType } from 'discord-api-types/v10';
import { CommandOptions } from '../../src/interactions/context.js';
import { registry } from '../../src/shared/metrics.js';
import { autocomplete, command, component, int, str } from '../helpers/interactions.js';
import { startHarness, type Harness } from '../helpers/server.js';

/** An option carrying any value at all, as a hostile client can sign it (Discord never would). */
const raw = (type: ApplicationCommandOptionType, name: string, value: unknown) => ({ type, name, value }) as never;
const S = ApplicationCommandOptionType.String;

function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** An autocomplete whose focused option's value is anything. */
function autocompleteWith(value: unknown): unknown {
  const a = autocomplete('config', 'timezone', { name: 'zone', value: 'x' }) as unknown as { data: { options: { options: { value: unknown }[] }[] } };
  a.data.options[0]!.options[0]!.value = value;
  return a;
}

const refused: [string, unknown, RegExp][] = [
  ['a number as /config timezone zone', command('config', 'timezone', [raw(S, 'zone', 5)]), /`data\.options\[0\]\.options\[0\]\.value` must be a string/],
  ['null as /config timezone zone', command('config', 'timezone', [raw(S, 'zone', null)]), /must be a string/],
  ['a number as /config post-time time', command('config', 'post-time', [raw(S, 'time', 730)]), /must be a string/],
  ['null as /config post-time time', command('config', 'post-time', [raw(S, 'time', null)]), /must be a string/],
  ['a time longer than its declared max_length 5', command('config', 'post-time', [str('time', '07:00:00')]), /at most 5 characters/],
  ['an object as /config rank-remove role', command('config', 'rank-remove', [raw(ApplicationCommandOptionType.Role, 'role', { id: '1' })]), /must be a snowflake/],
  ['[] as /config rank-remove role', command('config', 'rank-remove', [raw(ApplicationCommandOptionType.Role, 'role', [])]), /must be a snowflake/],
  ['a role id with SQL in it', command('config', 'rank-remove', [raw(ApplicationCommandOptionType.Role, 'role', "1' OR 1=1 --")]), /must be a snowflake/],
  ['an hour above its declared max_value 23', command('config', 'hours', [int('first', 24), int('last', 1)]), /`data\.options\[0\]\.options\[0\]\.value` must be at most 23/],
  ['a negative hour', command('config', 'hours', [int('first', -1), int('last', 1)]), /must be at least 0/],
  ['1e308 as an integer', command('config', 'hours', [int('first', 1e308), int('last', 1)]), /must be/],
  ['a fractional integer', command('config', 'hours', [int('first', 1.5), int('last', 1)]), /must be an integer/],
  ['"NaN" as an integer', command('config', 'hours', [raw(ApplicationCommandOptionType.Integer, 'first', 'NaN'), int('last', 1)]), /must be a number/],
  ['a boolean that is a string', command('config', 'greeting', [raw(ApplicationCommandOptionType.Boolean, 'enabled', 'yes')]), /must be a boolean/],
  ['a /stats range outside its declared choices', command('stats', 'me', [str('range', 'forever')]), /declared choices/],
  ['a 10 000-character string on an option without max_length', command('config', 'timezone', [str('zone', 'x'.repeat(10_000))]), /at most 6000 characters/],
  ['an unknown command whose option is an object', command('nope', null, [raw(S, 'x', {})]), /must be a string/],
  // As text: JSON.stringify itself overflows the stack on it, JSON.parse does not.
  [
    'an autocomplete focused on an array nested 10 000 deep',
    JSON.stringify(autocompleteWith('DEEP')).replace('"DEEP"', '['.repeat(10_000) + ']'.repeat(10_000)),
    /must be a string, number or boolean/,
  ],
  ['an autocomplete focused on null', autocompleteWith(null), /must be a string, number or boolean/],
];

describe('option values checked against their declared type and limits before any handler', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.listen();
  });
  afterAll(() => h.close());

  it.each(refused)('%s → 400 naming the field, nothing stored', async (_what, body, error) => {
    const before = await h.app.db.selectFrom('guild_config').selectAll().execute();
    const res = await h.post(body);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatch(/^malformed interaction: `data\.options[^`]*\.value` /);
    expect(res.json.error).toMatch(error);
    expect(await h.app.db.selectFrom('guild_config').selectAll().execute()).toEqual(before);
    // The server keeps serving.
    expect((await h.post(command('config', 'show'))).status).toBe(200);
  });

  it('still answers well-typed values, including a half-typed number in an autocomplete (the control case)', async () => {
    const zone = await h.post(command('config', 'timezone', [str('zone', 'Europe/Paris')]));
    expect(zone.status).toBe(200);
    expect(zone.json.data.content).toContain('Europe/Paris');
    const hours = await h.post(command('config', 'hours', [int('first', 0), int('last', 23)]));
    expect(hours.status).toBe(200);
    const typed = await h.post(autocompleteWith('Europe/Par'));
    expect(typed.status).toBe(200);
    expect(typed.json.data.choices.map((c: { value: string }) => c.value)).toContain('Europe/Paris');
    expect((await h.post(autocompleteWith(12))).status).toBe(200);
    // A component is not a command: no option values to check.
    expect((await h.post(component('nothing-here:1'))).status).toBe(200);
  });

  it('autocomplete answers an empty list (not a 500) when reading the options throws', async () => {
    // Past the HTTP check (a direct router call): the router reads the options inside its try.
    const evil = autocompleteWith('x') as { data: { options: unknown } };
    Object.defineProperty(evil.data, 'options', {
      get: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    const res = await h.server.router.handle(evil as never);
    expect(res).toEqual({ type: 8, data: { choices: [] } });
  });

  it('CommandOptions.focused never stringifies a non-scalar', () => {
    const options = new CommandOptions(autocompleteWith(nested(10_000)) as never);
    expect(options.focused()).toEqual({ name: 'zone', value: '' });
    const typed = new CommandOptions(command('config', 'timezone', [raw(S, 'zone', 5)]) as never);
    expect(typed.string('zone')).toBeUndefined();
    expect(InteractionType.ApplicationCommandAutocomplete).toBe(4);
  });

  it('names taken from payloads never become new metric series (a random name per request grew memory for good)', async () => {
    const lines = async () => (await registry.render()).split('\n').filter((l) => l.startsWith('rollcall_interaction')).length;
    await h.post(command('no-such-command-0', null));
    await h.post(component('random-0:x'));
    const before = await lines();
    for (let i = 1; i <= 20; i++) {
      await h.post(command(`no-such-command-${i}`, null));
      await h.post(component(`random-${i}:x`));
    }
    expect(await lines()).toBe(before);
    const text = await registry.render();
    expect(text).not.toContain('no-such-command-7');
    expect(text).not.toContain('random-7');
    expect(text).toContain('type="command:?"');
  });
});
