/**
 * Interactions without an interactions URL: the emulator, like Discord, sends INTERACTION_CREATE on
 * the gateway (no intent needed) and takes the first answer on the callback route, within 3 s and
 * once. A stand-in bot on the real @discordjs/ws client answers through the real @discordjs/rest.
 */
import { REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { GatewayDispatchEvents, GatewayIntentBits, Routes, type APIInteraction } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/sandbox/index.js';
import { eventually, startBotStub, type BotStub } from './helpers.js';

const COMMANDS = [{ name: 'ping', description: 'Answers pong' }];

let emu: Emulator | undefined;
let manager: WebSocketManager | undefined;
let webhook: BotStub | undefined;

afterEach(async () => {
  await Promise.resolve(manager?.destroy()).catch(() => {});
  await webhook?.close();
  await emu?.close();
  manager = emu = webhook = undefined;
});

/** An emulator with no interactions URL and a bot on the gateway (GUILDS only) answering with `answer`. */
async function setup(answer: (rest: REST, interaction: APIInteraction) => Promise<void>, options: EmulatorOptions = {}) {
  emu = await startEmulator({ heartbeatIntervalMs: 1_000, ...options });
  const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
  await rest.put(Routes.applicationGuildCommands(emu.applicationId, emu.fixture.guildId), { body: COMMANDS });
  const received: APIInteraction[] = [];
  manager = new WebSocketManager({ token: emu.token, intents: GatewayIntentBits.Guilds, rest, compression: null, buildIdentifyThrottler: async () => ({ waitForIdentify: async () => {} }) });
  manager.on(WebSocketShardEvents.Dispatch, (payload) => {
    if (payload.t !== GatewayDispatchEvents.InteractionCreate) return;
    received.push(payload.d);
    void answer(rest, payload.d);
  });
  manager.on(WebSocketShardEvents.Error, () => {});
  await manager.connect();
  return { emu, rest, received, alice: emu.fixture.members.alice.id };
}

const pong = { type: 4, data: { content: 'pong' } };

describe('interactions over the gateway (no interactions URL)', () => {
  it('dispatches INTERACTION_CREATE with the member and takes the answer on the callback route, once (40060 after)', async () => {
    const second: unknown[] = [];
    const { emu, received, alice } = await setup(async (rest, i) => {
      await rest.post(Routes.interactionCallback(i.id, i.token), { body: pong, auth: false });
      second.push(await rest.post(Routes.interactionCallback(i.id, i.token), { body: pong, auth: false }).catch((e: unknown) => e));
    });
    const r = await emu.runCommand(alice, 'ping');
    expect(r).toMatchObject({ via: 'gateway', status: 200, error: null, response: pong });
    expect(received[0]).toMatchObject({ id: r.id, type: 2, data: { name: 'ping' }, member: { user: { id: alice } }, guild_id: emu.fixture.guildId });
    expect((await r.final()).content).toBe('pong');
    await eventually(() => second.length === 1);
    expect(second[0]).toMatchObject({ code: 40060, status: 400 });
  });

  it('refuses an answer after the window (10062) and tells the member the interaction failed', async () => {
    const late: unknown[] = [];
    const { emu, alice } = await setup(
      async (rest, i) => {
        await new Promise((r) => setTimeout(r, 150));
        late.push(await rest.post(Routes.interactionCallback(i.id, i.token), { body: pong, auth: false }).catch((e: unknown) => e));
      },
      { interactionCallbackWindowMs: 100, interactionTimeoutMs: 300 },
    );
    const r = await emu.runCommand(alice, 'ping');
    expect(r).toMatchObject({ via: 'gateway', status: 0, error: 'no response within 300 ms' });
    await eventually(() => late.length === 1);
    expect(late[0]).toMatchObject({ code: 10062, status: 404 });
    // A test waiting for the message is told what the emulator saw, not only that it waited.
    const error = await r.final(50).catch((e: Error) => e);
    expect(String(error)).toContain('did not reach its final state within 50 ms');
    expect(String(error)).toMatch(/what the emulator saw \(no initial response, via gateway\):/);
    expect(String(error)).toMatch(/\+\d+ ms GW → op 0 INTERACTION_CREATE/);
    expect(String(error)).toMatch(/\+\d+ ms REST POST \/interactions\/\d+\/\S+\/callback → 404 .*10062 Unknown interaction/);
  });

  it('reports an answer Discord refuses (autocomplete choices to a command) as the failure', async () => {
    const { emu, alice } = await setup(async (rest, i) => {
      await rest.post(Routes.interactionCallback(i.id, i.token), { body: { type: 8, data: { choices: [] } }, auth: false }).catch(() => undefined);
    });
    const r = await emu.runCommand(alice, 'ping');
    expect(r.status).toBe(0);
    expect(r.error).toMatch(/^50035 Invalid Form Body .*INTERACTION_RESPONSE_TYPE_INVALID/);
  });

  it('with an interactions URL set, POSTs signed requests and sends no INTERACTION_CREATE', async () => {
    const { emu, received, alice } = await setup(async () => {});
    webhook = await startBotStub(emu.publicKey, () => pong);
    emu.setInteractionsUrl(webhook.url);
    const r = await emu.runCommand(alice, 'ping');
    expect(r).toMatchObject({ via: 'http', status: 200, error: null });
    expect(webhook.received).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual([]);
  });

  it('fails at once, saying why, with neither a URL nor a gateway session', async () => {
    emu = await startEmulator();
    await new REST({ api: emu.api, version: '10' }).setToken(emu.token).put(Routes.applicationGuildCommands(emu.applicationId, emu.fixture.guildId), { body: COMMANDS });
    const r = await emu.runCommand(emu.fixture.members.alice.id, 'ping');
    expect(r).toMatchObject({ via: 'gateway', status: 0, error: 'no interactions URL set and no gateway session to send INTERACTION_CREATE to' });
  });
});
