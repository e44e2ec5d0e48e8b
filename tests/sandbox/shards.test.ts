/**
 * Sharding in the emulator, as Discord does it: the recommended count and session starts on
 * GET /gateway/bot, IDENTIFY with `shard: [id, count]`, each guild's events only on its shard, and
 * the close codes for a shard that is not one (4010) and a session holding too many guilds (4011).
 * Driven by the real @discordjs/ws WebSocketManager and a raw socket for what it would never send.
 */
import { REST } from '@discordjs/rest';
import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { GatewayIntentBits, GatewayOpcodes, Routes } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';
import { eventually } from './helpers.js';

const INTENTS = GatewayIntentBits.Guilds | GatewayIntentBits.GuildVoiceStates | GatewayIntentBits.GuildMessageReactions;
const shardOf = (guildId: string, count: number) => Number((BigInt(guildId) >> 22n) % BigInt(count));

let emu: Emulator | undefined;
let manager: WebSocketManager | undefined;
afterEach(async () => {
  await Promise.resolve(manager?.destroy()).catch(() => {});
  manager = undefined;
  await emu?.close();
  emu = undefined;
});

function shardedManager(e: Emulator, shardCount: number | null, shardIds: number[] | null) {
  const rest = new REST({ api: e.api, version: '10' }).setToken(e.token);
  const got: { shard: number; t: string; d: any }[] = [];
  const closes: { shard: number; code: number }[] = [];
  manager = new WebSocketManager({ token: e.token, intents: INTENTS, rest, compression: null, shardCount, shardIds, buildIdentifyThrottler: async () => ({ waitForIdentify: async () => {} }) });
  manager.on(WebSocketShardEvents.Dispatch, (payload, shard) => void got.push({ shard, t: payload.t, d: payload.d }));
  manager.on(WebSocketShardEvents.Closed, (code, shard) => void closes.push({ shard, code }));
  manager.on(WebSocketShardEvents.Error, () => {});
  return { rest, got, closes, manager };
}

/** A raw IDENTIFY: the close code the gateway answers with (or 0 when it sends READY). */
async function identifyRaw(e: Emulator, shard: unknown): Promise<number> {
  const ws = new WebSocket(`${e.gatewayUrl}?v=10&encoding=json`);
  return new Promise<number>((resolve, reject) => {
    ws.on('message', (data) => {
      const p = JSON.parse(String(data)) as { op: number; t: string | null };
      if (p.op === GatewayOpcodes.Hello) ws.send(JSON.stringify({ op: GatewayOpcodes.Identify, d: { token: e.token, intents: INTENTS, properties: {}, shard } }));
      if (p.t === 'READY') {
        ws.close(1000);
        resolve(0);
      }
    });
    ws.on('close', (code) => resolve(code));
    ws.on('error', reject);
  });
}

describe('a sharded gateway', () => {
  it('GET /gateway/bot recommends a shard count and counts the session starts each IDENTIFY spends', async () => {
    emu = await startEmulator({ scale: { guilds: 4 }, sharding: { recommendedShards: 2, sessionStartTotal: 50 } });
    const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    expect(await rest.get(Routes.gatewayBot())).toEqual({ url: emu.gatewayUrl, shards: 2, session_start_limit: { total: 50, remaining: 50, reset_after: 0, max_concurrency: 1 } });
    expect(await identifyRaw(emu, [0, 2])).toBe(0);
    expect(await identifyRaw(emu, [1, 2])).toBe(0);
    const after = (await rest.get(Routes.gatewayBot())) as { session_start_limit: { remaining: number; reset_after: number } };
    expect(after.session_start_limit.remaining).toBe(48);
    expect(after.session_start_limit.reset_after).toBeGreaterThan(23 * 3_600_000);
    // Without the option: one shard per 1 000 guilds, at least one.
    await emu.close();
    emu = await startEmulator({ scale: { guilds: 3 } });
    expect(await new REST({ api: emu.api, version: '10' }).setToken(emu.token).get(Routes.gatewayBot())).toMatchObject({ shards: 1 });
  });

  it("2 shards of 2: each guild's GUILD_CREATE, reactions, voice states and interactions arrive on its shard only", async () => {
    emu = await startEmulator({ heartbeatIntervalMs: 500, scale: { guilds: 4 } });
    const guilds = emu.scaledGuilds;
    // Generated guilds spread round-robin over the shards: two on each.
    expect(guilds.map((g) => shardOf(g.id, 2)).sort()).toEqual([0, 0, 1, 1]);
    const { rest, got, manager: m } = shardedManager(emu, 2, [0, 1]);
    await m.connect();
    await eventually(() => got.filter((x) => x.t === 'GUILD_CREATE').length === 4);
    for (const x of got.filter((y) => y.t === 'GUILD_CREATE')) expect(x.shard).toBe(shardOf(x.d.id, 2));
    const readies = got.filter((x) => x.t === 'READY');
    expect(readies.map((r) => r.d.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    for (const r of readies) expect(r.d.guilds.map((g: { id: string }) => shardOf(g.id, 2))).toEqual([r.shard, r.shard]);
    expect(emu.gatewaySessions.map((s) => s.shard).sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);

    // A member of each guild joins voice, and reacts to a message there.
    await rest.put(Routes.applicationCommands(emu.applicationId), { body: [{ name: 'ping', description: 'ping' }] });
    for (const g of guilds) {
      const member = g.generatedMembers > 0 ? g.memberId(1) : emu.fixture.members.alice.id;
      await emu.joinVoice(member, g.voiceChannelIds[0]!);
      const message = await emu.say(member, g.textChannelIds[0]!, 'hello');
      await emu.react(member, g.textChannelIds[0]!, message.id, '👍');
      void emu.runCommand(member, 'ping', [], { channelId: g.textChannelIds[0]! }).catch(() => {});
    }
    const kinds = ['VOICE_STATE_UPDATE', 'MESSAGE_REACTION_ADD', 'INTERACTION_CREATE'];
    await eventually(() => got.filter((x) => kinds.includes(x.t)).length === 12);
    for (const x of got.filter((y) => kinds.includes(y.t))) expect({ t: x.t, shard: x.shard }).toEqual({ t: x.t, shard: shardOf(x.d.guild_id, 2) });
    for (const g of guilds) for (const t of kinds) expect(got.filter((x) => x.t === t && x.d.guild_id === g.id)).toHaveLength(1);
  });

  it('a shard that is not one is closed with 4010; a session over the guild limit with 4011', async () => {
    emu = await startEmulator({ scale: { guilds: 3 }, sharding: { maxGuildsPerShard: 2 } });
    expect(await identifyRaw(emu, [2, 2])).toBe(4010);
    expect(await identifyRaw(emu, [-1, 2])).toBe(4010);
    expect(await identifyRaw(emu, [0, 0])).toBe(4010);
    expect(await identifyRaw(emu, 'all')).toBe(4010);
    // Three guilds on one shard are more than two: sharding is required. Split in two, each holds fewer.
    expect(await identifyRaw(emu, [0, 1])).toBe(4011);
    expect(await identifyRaw(emu, undefined)).toBe(4011);
    expect(await identifyRaw(emu, [0, 2])).toBe(0);
    expect(await identifyRaw(emu, [1, 2])).toBe(0);
    // The real client sees the close code too.
    const { closes, manager: m } = shardedManager(emu, 1, [0]);
    void m.connect().catch(() => {});
    await eventually(() => closes.some((c) => c.code === 4011));
  });

  it('an IDENTIFY past the session start limit ends every session of the bot and resets its token, as Discord does; the budget refills after its window', async () => {
    emu = await startEmulator({ scale: { guilds: 2 }, sharding: { sessionStartTotal: 2, sessionStartResetMs: 60_000 } });
    const { rest, closes, manager: m } = shardedManager(emu, 2, [0, 1]);
    await m.connect();
    expect((await rest.get(Routes.gatewayBot())) as object).toMatchObject({ session_start_limit: { total: 2, remaining: 0 } });
    const oldToken = emu.token;
    // The third IDENTIFY of the window: not refused alone, every live session goes with it.
    expect(await identifyRaw(emu, [0, 2])).toBe(4004);
    await eventually(() => closes.filter((c) => c.code === 4004).length === 2);
    expect(emu.token).not.toBe(oldToken);
    await expect(rest.get(Routes.gatewayBot())).rejects.toMatchObject({ status: 401 });
    expect(emu.events.filter((e) => e.kind === 'gateway-close' && (e as { reason: string }).reason.startsWith('session start limit exceeded'))).toHaveLength(1);

    // A budget used up elsewhere (fault injection) refills after the reset it announces.
    await emu.close();
    emu = await startEmulator({ scale: { guilds: 2 } });
    const fresh = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    emu.exhaustSessionStarts(300);
    const exhausted = ((await fresh.get(Routes.gatewayBot())) as { session_start_limit: { remaining: number; reset_after: number } }).session_start_limit;
    expect(exhausted.remaining).toBe(0);
    expect(exhausted.reset_after).toBeGreaterThan(0);
    expect(exhausted.reset_after).toBeLessThanOrEqual(300);
    await new Promise((r) => setTimeout(r, 350));
    expect(await fresh.get(Routes.gatewayBot())).toMatchObject({ session_start_limit: { total: 1000, remaining: 1000, reset_after: 0 } });
    expect(await identifyRaw(emu, [0, 1])).toBe(0);
  });

  it('drops the sockets of one shard only when asked to', async () => {
    emu = await startEmulator({ scale: { guilds: 4 } });
    const { closes, manager: m } = shardedManager(emu, 2, [0, 1]);
    await m.connect();
    expect(emu.dropGateway({ shard: 1, code: 4000 })).toBe(1);
    await eventually(() => closes.length === 1);
    expect(closes).toEqual([{ shard: 1, code: 4000 }]);
  });
});
