import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { ButtonStyle, ComponentType } from 'discord-api-types/v10';
import type { CommandHandler, ComponentHandler } from '../../src/interactions/handler.js';
import { commands } from '../../src/interactions/commands/index.js';
import { InteractionRouter } from '../../src/interactions/router.js';
import { registerCommands } from '../../src/cli/registration.js';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';
import { startHarness, type Harness } from '../helpers/server.js';
import { MODES, startWorld, type World } from '../helpers/world.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * Where a deferred answer lands does not depend on when the deferral went out: the first describe's
 * router defers after {@link DEFER_AFTER_MS} (instead of 2.5 s; tests/http/deadline.test.ts races the
 * real one against Discord's 3 s), and its slow handlers take {@link SLOW_MS}, past it and well within 3 s.
 */
const DEFER_AFTER_MS = 300;
const SLOW_MS = 800;

const button = (customId: string, label: string) => ({ type: ComponentType.Button as const, style: ButtonStyle.Secondary as const, custom_id: customId, label });

/** Posts a public message with one button per slow component handler. */
const panel: CommandHandler = {
  uses: [],
  definition: { name: 'panel', description: 'a message with buttons' },
  async execute() {
    return {
      content: 'Tonight’s panel',
      ephemeral: false,
      components: [{ type: ComponentType.ActionRow, components: [button('slow-update:1', 'Update'), button('slow-answer:1', 'Answer'), button('slow-fail:1', 'Fail')] }],
    };
  },
};
const slowUpdate: ComponentHandler = {
  key: 'slow-update',
  uses: [],
  async execute() {
    await sleep(SLOW_MS);
    return { content: 'Panel updated', update: true, components: [] };
  },
};
const slowAnswer: ComponentHandler = {
  key: 'slow-answer',
  uses: [],
  async execute() {
    await sleep(SLOW_MS);
    return { content: 'Here is your answer, just for you' };
  },
};
const slowFail: ComponentHandler = {
  key: 'slow-fail',
  uses: [],
  async execute() {
    await sleep(SLOW_MS);
    throw new Error('late fire');
  },
};
/** Declared `defer: 'always'`: its first response must not wait for it. */
const thinker: CommandHandler = {
  uses: [],
  definition: { name: 'thinker', description: 'always deferred' },
  defer: 'always',
  async execute() {
    await sleep(1_500);
    return { content: 'thought it through' };
  },
};
/** Done at once; with deferAfterMs 0 it is deferred anyway, and its PATCH could race the deferral. */
const quick: CommandHandler = {
  uses: [],
  definition: { name: 'quick', description: 'finishes right after the deadline' },
  async execute() {
    await sleep(5);
    return { content: 'quick answer' };
  },
};

type RestEvent = Extract<Emulator['events'][number], { kind: 'rest' }>;
const webhookCalls = (emu: Emulator, token: string, method: string) => emu.events.filter((e): e is RestEvent => e.kind === 'rest' && e.method === method && decodeURIComponent(e.path).includes(token));
/** Where the first response landed in the wire log: the webhook's HTTP answer, or the gateway mode's callback POST. */
const responseIndex = (emu: Emulator, id: string) =>
  emu.events.findIndex((e) => (e.kind === 'interaction-response' && e.id === id) || (e.kind === 'rest' && e.method === 'POST' && e.path.includes(`/interactions/${id}/`)));

describe.each(MODES)('deferred component answers land where the member expects (interactions over %s)', (mode) => {
  let w: World;
  let emu: Emulator;
  let alice: string;
  let bob: string;
  let channel: string;

  beforeAll(async () => {
    w = await startWorld({ now: Date.now(), interactions: mode, intake: { commands: [panel], components: [slowUpdate, slowAnswer, slowFail], deferAfterMs: DEFER_AFTER_MS } });
    emu = w.emu;
    alice = emu.fixture.members.alice.id;
    bob = emu.fixture.members.bob.id;
    channel = emu.fixture.channels.tonight!;
  });
  afterAll(() => w.close());

  const postPanel = async () => (await (await emu.runCommand(alice, 'panel')).final()).id;
  const panelIntact = (messageId: string) => {
    const m = emu.message(channel, messageId)!;
    expect(m.content).toBe('Tonight’s panel');
    expect(m.components?.[0]).toMatchObject({ components: [{ custom_id: 'slow-update:1' }, { custom_id: 'slow-answer:1' }, { custom_id: 'slow-fail:1' }] });
    expect(m.edit_count).toBe(0);
  };
  const onlyFor = (userId: string, content: string | RegExp) =>
    emu.messages(channel, { as: userId }).filter((m) => m.ephemeral_for === userId && (typeof content === 'string' ? m.content === content : content.test(m.content)));

  it('a slow update edits the message the button is on', async () => {
    const messageId = await postPanel();
    const r = await emu.pressButton(alice, messageId, 'slow-update:1');
    expect(r.error).toBeNull();
    expect(r.response).toEqual({ type: 6 });
    const final = await r.final(10_000);
    expect(final.id).toBe(messageId);
    expect(final.content).toBe('Panel updated');
    expect(final.components).toEqual([]);
  });

  it('a slow answer that is not an update comes as an ephemeral follow-up; the message keeps its buttons', async () => {
    const messageId = await postPanel();
    const r = await emu.pressButton(alice, messageId, 'slow-answer:1');
    expect(r.response).toEqual({ type: 6 });
    await w.settle();
    panelIntact(messageId);
    expect(onlyFor(alice, 'Here is your answer, just for you')).toHaveLength(1);
    // Nobody else sees it, in the channel or as another member.
    expect(emu.messages(channel).map((m) => m.content)).not.toContain('Here is your answer, just for you');
    expect(emu.messages(channel, { as: bob }).map((m) => m.content)).not.toContain('Here is your answer, just for you');
    expect(webhookCalls(emu, r.interaction.token as string, 'PATCH')).toHaveLength(0);
  });

  it('a slow handler that throws leaves the message alone and tells the member privately', async () => {
    const messageId = await postPanel();
    const r = await emu.pressButton(alice, messageId, 'slow-fail:1');
    expect(r.response).toEqual({ type: 6 });
    await w.settle();
    panelIntact(messageId);
    expect(onlyFor(alice, /^Something went wrong on my side.*`[0-9a-f]{8}`/)).toHaveLength(1);
  });
});

describe.each(MODES)('deferred answers are delivered only after the deferral was sent (interactions over %s)', (mode) => {
  let w: World;
  let emu: Emulator;
  let alice: string;

  beforeAll(async () => {
    w = await startWorld({ now: Date.now(), interactions: mode, intake: { commands: [...commands, thinker] } });
    emu = w.emu;
    alice = emu.fixture.members.alice.id;
  }, 30_000);
  afterAll(() => w.close());

  it("a command declared defer: 'always' answers type 5 at once, not when its handler is done", async () => {
    const started = Date.now();
    const r = await emu.runCommand(alice, 'thinker');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(r.response).toEqual({ type: 5, data: { flags: 64 } });
    expect((await r.final(10_000)).content).toBe('thought it through');
  });

  it('/stats shows "thinking…" at once, even when it has nothing to draw, and edits @original after the response', async () => {
    // The first run starts the render worker; the second finds it warm and answers in milliseconds.
    for (let run = 0; run < 2; run++) {
      const started = Date.now();
      const r = await emu.runCommand(alice, 'stats', [{ name: 'me', options: [] }]);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(r.error).toBeNull();
      expect(r.response).toEqual({ type: 5, data: { flags: 64 } });
      const final = await r.final(30_000);
      expect(final.content).toMatch(/Nothing to draw yet/);
      expect(final.ephemeral_for).toBe(alice);
      await w.settle();
      const patches = webhookCalls(emu, r.interaction.token as string, 'PATCH');
      expect(patches.map((p) => p.status)).toEqual([200]);
      expect(emu.events.indexOf(patches[0]!)).toBeGreaterThan(responseIndex(emu, r.id));
    }
  }, 40_000);

  it('/privacy export defers at once (its answer is a file); /privacy show still answers directly', async () => {
    const r = await emu.runCommand(alice, 'privacy', [{ name: 'export', options: [] }]);
    expect(r.response).toEqual({ type: 5, data: { flags: 64 } });
    const final = await r.final(10_000);
    expect(final.files.map((f) => f.content_type)).toEqual(['application/json']);
    expect(final.ephemeral_for).toBe(alice);
    const show = await emu.runCommand(alice, 'privacy', [{ name: 'show', options: [] }]);
    expect(show.response).toMatchObject({ type: 4, data: { flags: 64 } });
  });
});

/** Fastify-specific: the webhook's deferral is an HTTP response, written after the handler may be done. */
describe('over the webhook, a deferral written late', () => {
  let emu: Emulator;
  /** The bot deferring at once (deferAfterMs 0), with a response that takes 200 ms to go out. */
  let hSlowWire: Harness;
  let alice: string;

  beforeAll(async () => {
    emu = await startEmulator();
    const config = { apiUrl: emu.api, publicKey: emu.publicKey, token: emu.token, applicationId: emu.applicationId };
    hSlowWire = await startHarness({ config, server: { commands: [quick], deferAfterMs: 0 } });
    // A busy event loop or a slow link: the deferral is written well after the handler is done.
    hSlowWire.server.fastify.addHook('onSend', async (request, _reply, payload) => {
      if (request.url === '/interactions') await sleep(200);
      return payload;
    });
    emu.setInteractionsUrl(`${await hSlowWire.listen()}/interactions`);
    await registerCommands(hSlowWire.app.discord, [quick.definition], emu.fixture.guildId, () => {});
    alice = emu.fixture.members.alice.id;
  });
  afterAll(async () => {
    await hSlowWire.close();
    await emu.close();
  });

  it('a handler done before its deferral is written waits for the deferral to go out before PATCHing', async () => {
    const r = await emu.runCommand(alice, 'quick');
    expect(r.response).toEqual({ type: 5, data: { flags: 64 } });
    expect((await r.final(10_000)).content).toBe('quick answer');
    await hSlowWire.server.router.settle();
    const patches = webhookCalls(emu, r.interaction.token as string, 'PATCH');
    expect(patches.map((p) => p.status)).toEqual([200]);
    expect(emu.events.indexOf(patches[0]!)).toBeGreaterThan(responseIndex(emu, r.id));
  });
});

describe('a delivery that still beats the deferral to Discord', () => {
  it('is retried once after 10008/10015 and lands', async () => {
    const emu = await startEmulator();
    const h = await startHarness({ config: { apiUrl: emu.api, publicKey: emu.publicKey, token: emu.token, applicationId: emu.applicationId } });
    // An endpoint that signals "sent" at once but holds the response back: the PATCH arrives first.
    const router = new InteractionRouter(h.app, { commands: [quick], components: [], deferAfterMs: 0, deliveryRetryMs: 400 });
    const late = Fastify();
    late.post('/interactions', async (request) => {
      const response = await router.handle(request.body as never, Promise.resolve());
      await sleep(150);
      return response;
    });
    try {
      emu.setInteractionsUrl(`${await late.listen({ host: '127.0.0.1', port: 0 })}/interactions`);
      await registerCommands(h.app.discord, [quick.definition], emu.fixture.guildId, () => {});
      const r = await emu.runCommand(emu.fixture.members.alice.id, 'quick');
      expect(r.response).toMatchObject({ type: 5 });
      await router.settle();
      const patches = webhookCalls(emu, r.interaction.token as string, 'PATCH');
      expect(patches.map((p) => [p.status, p.error?.code])).toEqual([
        [404, 10008],
        [200, undefined],
      ]);
      expect((await r.final(5_000)).content).toBe('quick answer');
    } finally {
      await late.close();
      await h.close();
      await emu.close();
    }
  });
});
