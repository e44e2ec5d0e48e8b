import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import type { CommandHandler } from '../../src/http/handler.js';
import { command } from '../helpers/interactions.js';
import { startHarness, type Harness } from '../helpers/server.js';
import { startRestStandin } from '../helpers/rest-standin.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const slow: CommandHandler = {
  definition: { name: 'slow', description: 'takes its time', options: [{ type: ApplicationCommandOptionType.Integer, name: 'ms', description: 'delay' }] },
  async execute(ctx) {
    await sleep(ctx.options.integer('ms') ?? 0);
    return { content: `done after ${ctx.options.integer('ms')} ms` };
  },
};
const broken: CommandHandler = {
  definition: { name: 'broken', description: 'throws' },
  async execute() {
    throw new Error('database on fire');
  },
};
const slowBroken: CommandHandler = {
  definition: { name: 'slow-broken', description: 'throws late' },
  async execute() {
    await sleep(300);
    throw new Error('late fire');
  },
};

describe("Discord's 3-second deadline and failing handlers", () => {
  let h: Harness;
  let rest: Awaited<ReturnType<typeof startRestStandin>>;
  const logLines: string[] = [];

  beforeAll(async () => {
    rest = await startRestStandin({ 'PATCH /api/v10/webhooks/\\d+/[^/]+/messages/@original': (r) => ({ id: '1', content: JSON.parse(r.body).content }) });
    h = await startHarness({
      config: { apiUrl: rest.api },
      server: { commands: [slow, broken, slowBroken], deferAfterMs: 150 },
      logTo: (line) => logLines.push(line),
    });
    await h.listen();
  });
  afterAll(async () => {
    await h.close();
    await rest.close();
  });

  it('answers a fast handler directly', async () => {
    const res = await h.post(command('slow', null, [{ type: 4, name: 'ms', value: 10 }]));
    expect(res.json).toMatchObject({ type: 4, data: { content: 'done after 10 ms', flags: 64 } });
  });

  it('defers a slow handler in time and delivers its answer by editing @original', async () => {
    const started = Date.now();
    const interaction = command('slow', null, [{ type: 4, name: 'ms', value: 600 }]);
    const res = await h.post(interaction);
    expect(Date.now() - started).toBeLessThan(500);
    expect(res.json).toEqual({ type: 5, data: { flags: 64 } });
    await h.server.router.settle();
    const edit = rest.requests.find((r) => r.path.includes((interaction as { token: string }).token));
    expect(edit?.path, JSON.stringify(rest.requests.map((r) => r.path))).toMatch(/messages\/@original$/);
    expect(edit?.method).toBe('PATCH');
    expect(JSON.parse(edit!.body).content).toBe('done after 600 ms');
    // Interaction webhooks are authenticated by their token, never by the bot token.
    expect(edit?.auth).toBeUndefined();
  });

  it('answers a throwing handler with an ephemeral reference that is also logged', async () => {
    const res = await h.post(command('broken', null));
    expect(res.json.type).toBe(4);
    expect(res.json.data.flags).toBe(64);
    const ref = /`([0-9a-f]{8})`/.exec(res.json.data.content)?.[1];
    expect(ref).toBeDefined();
    expect(logLines.some((l) => l.includes(ref!) && l.includes('database on fire'))).toBe(true);
    expect((await h.post(command('slow', null, [{ type: 4, name: 'ms', value: 1 }]))).status).toBe(200);
  });

  it('delivers the error reference through the webhook when a deferred handler throws', async () => {
    const interaction = command('slow-broken', null);
    const res = await h.post(interaction);
    expect(res.json.type).toBe(5);
    await h.server.router.settle();
    const edit = rest.requests.find((r) => r.path.includes((interaction as { token: string }).token));
    expect(JSON.parse(edit!.body).content).toMatch(/Something went wrong.*`[0-9a-f]{8}`/);
  });
});
