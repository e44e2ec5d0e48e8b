import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandHandler, ComponentHandler } from '../../src/interactions/handler.js';
import { commands, components } from '../../src/interactions/commands/index.js';
import { actorOf } from '../../src/interactions/context.js';
import { metrics } from '../../src/shared/metrics.js';
import { command, component, ping } from '../helpers/interactions.js';
import { startHarness, type Harness } from '../helpers/server.js';

/** Handlers that only count: a refused request must never reach one. */
let reached = 0;
const spyCommand: CommandHandler = {
  uses: [],
  definition: { name: 'spy', description: 'counts' },
  async execute() {
    reached += 1;
    return { content: 'reached' };
  },
};
const spyComponent: ComponentHandler = {
  key: 'spy',
  uses: [],
  async execute() {
    reached += 1;
    return { content: 'reached' };
  },
};

/** A well-formed interaction with some fields replaced (undefined deletes). */
function reshape(base: unknown, change: (i: Record<string, any>) => void): unknown {
  const copy = structuredClone(base) as Record<string, any>;
  change(copy);
  return copy;
}

const malformed: [string, unknown][] = [
  ['a bare {"type":2}', { type: 2 }],
  ['a bare {"type":3}', { type: 3 }],
  ['a bare {"type":4}', { type: 4 }],
  ['a bare {"type":5}', { type: 5 }],
  ['a command without data', reshape(command('spy', null), (i) => delete i.data)],
  ['a command without a name', reshape(command('spy', null), (i) => delete i.data.name)],
  ['a command whose options are not a list', reshape(command('spy', null), (i) => (i.data.options = 'show'))],
  ['a subcommand group naming no subcommand', reshape(command('spy', null), (i) => (i.data.options = [{ type: 2, name: 'rank' }]))],
  ['a component without data', reshape(component('spy:1'), (i) => delete i.data)],
  ['a component without a custom_id', reshape(component('spy:1'), (i) => delete i.data.custom_id)],
  ['a component without the message it is on', reshape(component('spy:1'), (i) => delete i.message)],
  ['a select whose values are not strings', reshape(component('spy:1', ['1']), (i) => (i.data.values = [1]))],
  ['an autocomplete without data', reshape(command('spy', null), (i) => ((i.type = 4), delete i.data))],
  ['an autocomplete without a name', reshape(command('spy', null), (i) => ((i.type = 4), delete i.data.name))],
  ['a modal submit without data', reshape(component('spy:1'), (i) => ((i.type = 5), delete i.data))],
  ['a modal submit without a custom_id', reshape(component('spy:1'), (i) => ((i.type = 5), delete i.data.custom_id))],
  ['member.permissions "abc"', reshape(command('spy', null), (i) => (i.member.permissions = 'abc'))],
  ['member.permissions as a number', reshape(command('spy', null), (i) => (i.member.permissions = 8))],
  ['no token', reshape(command('spy', null), (i) => delete i.token)],
  ['a non-integer type', { type: 2.5, id: '1', token: 't' }],
];

describe('signed but mis-shaped interactions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ server: { commands: [...commands, spyCommand], components: [...components, spyComponent] } });
    await h.listen();
  });
  afterAll(() => h.close());

  it('reaches the spies when the interaction is well formed (the control case)', async () => {
    reached = 0;
    expect((await h.send(command('spy', null))).json.data.content).toBe('reached');
    expect((await h.post(component('spy:1'))).json.data.content).toBe('reached');
    expect(reached).toBe(2);
  });

  it.each(malformed)('%s → 400 with a clear body over real HTTP and through inject, no handler reached', async (_what, body) => {
    reached = 0;
    const before = metrics.interactions.get({ type: 'unknown', outcome: 'malformed' });
    for (const res of [await h.send(body), await h.post(body)]) {
      expect(res.status).toBe(400);
      expect(res.json.error).toMatch(/^malformed interaction: `[a-z_.[\]0-9]+` /);
    }
    expect(reached).toBe(0);
    expect(metrics.interactions.get({ type: 'unknown', outcome: 'malformed' })).toBe(before + 2);
    // And the server keeps serving.
    expect((await h.send(ping())).json).toEqual({ type: 1 });
  });

  it('names the field that is wrong', async () => {
    expect((await h.send(reshape(command('spy', null), (i) => (i.member.permissions = 'abc')))).json.error).toBe(
      'malformed interaction: `member.permissions` must be a decimal permission bit set in a string',
    );
    expect((await h.send({ type: 3, id: '1', token: 't', data: { custom_id: 'spy:1' } })).json.error).toBe('malformed interaction: `message.id` must be a string for a component');
  });
});

describe('reading member.permissions', () => {
  it('grants nothing for a value that is not a decimal bit set, instead of throwing', () => {
    for (const permissions of ['abc', '', '-8', '0x8', '8.0']) {
      const i = reshape(command('config', 'show'), (x) => (x.member.permissions = permissions)) as Parameters<typeof actorOf>[0];
      expect(actorOf(i).isAdmin).toBe(false);
    }
    expect(actorOf(reshape(command('config', 'show'), (x) => (x.member.permissions = '8')) as Parameters<typeof actorOf>[0]).isAdmin).toBe(true);
  });
});
