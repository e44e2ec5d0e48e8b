import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import type { CommandHandler } from '../../src/interactions/handler.js';
import type { Emulator } from '../../src/sandbox/index.js';
import { createLogger } from '../../src/shared/logger.js';
import { MODES, startWorld, type World } from '../helpers/world.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const slow: CommandHandler = {
  uses: [],
  definition: { name: 'slow', description: 'takes its time', options: [{ type: ApplicationCommandOptionType.Integer, name: 'ms', description: 'delay', required: true }] },
  async execute(ctx) {
    await sleep(ctx.options.integer('ms') ?? 0);
    return { content: `done after ${ctx.options.integer('ms')} ms` };
  },
};
const broken: CommandHandler = {
  uses: [],
  definition: { name: 'broken', description: 'throws' },
  async execute() {
    throw new Error('database on fire');
  },
};
const slowBroken: CommandHandler = {
  uses: [],
  definition: { name: 'slow-broken', description: 'throws late' },
  async execute() {
    await sleep(3_200);
    throw new Error('late fire');
  },
};

/**
 * Discord's 3-second deadline, with the emulator as Discord: it delivers the interaction (signed to
 * the webhook, or INTERACTION_CREATE on the gateway), times the first answer (3 s, as Discord does)
 * and accepts the late answer only through `PATCH @original`.
 */
describe.each(MODES)("Discord's 3-second deadline and failing handlers (interactions over %s)", (mode) => {
  let w: World;
  let emu: Emulator;
  const logLines: string[] = [];
  let alice: string;

  beforeAll(async () => {
    const logger = createLogger('info', { write: (line: string) => (logLines.push(line), true) } as NodeJS.WritableStream);
    w = await startWorld({ now: Date.now(), interactions: mode, intake: { commands: [slow, broken, slowBroken] }, logger });
    emu = w.emu;
    alice = emu.fixture.members.alice.id;
  });
  afterAll(() => w.close());

  it('answers a fast handler directly', async () => {
    const r = await emu.runCommand(alice, 'slow', [{ name: 'ms', value: 10 }]);
    expect(r.error).toBeNull();
    expect(r.via).toBe(mode);
    expect(r.response).toMatchObject({ type: 4, data: { content: 'done after 10 ms', flags: 64 } });
  });

  it('defers a handler that would miss the deadline and delivers its answer by editing @original', async () => {
    const r = await emu.runCommand(alice, 'slow', [{ name: 'ms', value: 4_000 }]);
    expect(r.error).toBeNull();
    expect(r.response).toEqual({ type: 5, data: { flags: 64 } });
    const final = await r.final(10_000);
    expect(final.content).toBe('done after 4000 ms');
    expect(final.ephemeral_for).toBe(alice);
  });

  it('answers a throwing handler with an ephemeral reference that is also logged', async () => {
    const r = await emu.runCommand(alice, 'broken');
    const final = await r.final();
    expect(final.ephemeral_for).toBe(alice);
    const ref = /`([0-9a-f]{8})`/.exec(final.content)?.[1];
    expect(ref).toBeDefined();
    expect(logLines.some((l) => l.includes(ref!) && l.includes('database on fire'))).toBe(true);
    expect((await emu.runCommand(alice, 'slow', [{ name: 'ms', value: 1 }])).error).toBeNull();
  });

  it('delivers the error reference through the webhook when a deferred handler throws', async () => {
    const r = await emu.runCommand(alice, 'slow-broken');
    expect(r.response).toMatchObject({ type: 5 });
    const final = await r.final(10_000);
    expect(final.content).toMatch(/Something went wrong.*`[0-9a-f]{8}`/);
  });
});
