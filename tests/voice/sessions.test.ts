import { WebSocketShardEvents } from '@discordjs/ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import type { App } from '../../src/app.js';
import type { VoiceState, VoiceStay } from '../../src/shared/services/voice-sessions.js';
import { coPresence } from '../../src/shared/algorithms/copresence.js';
import { tempDir, testApp, testConfig } from '../helpers/app.js';
import { createTestKeys } from '../helpers/keys.js';
import { eventually, startWorld, type World } from '../helpers/world.js';

const G = '910000000000000001';
const A = '910000000000000011';
const B = '910000000000000012';
const AFK = '910000000000000013';
const alice = '910000000000000101';
const bob = '910000000000000102';
const carol = '910000000000000103';
const beep = '910000000000000199';
const T0 = Date.parse('2026-11-23T20:00:00Z');
const min = (m: number) => T0 + m * 60_000;

/** The voice service on a real SQLite file, fed the states VOICE_STATE_UPDATE would carry. */
describe('voice stays', () => {
  let app: App;
  let clock: ManualClock;
  let cleanup: () => void;

  beforeEach(async () => {
    const tmp = tempDir();
    cleanup = tmp.cleanup;
    clock = new ManualClock(T0);
    app = await testApp(testConfig({ publicKey: createTestKeys().publicKeyHex, databasePath: `${tmp.dir}/r.sqlite` }), { clock });
    await app.guilds.remember({ guildId: G, name: 'G', afkChannelId: AFK, roles: [], channels: [] });
  });
  afterEach(async () => {
    await app.close();
    cleanup();
  });

  const at = (m: number, userId: string, channelId: string | null, flags: Partial<VoiceState> = {}) =>
    app.voice.update(G, { userId, channelId, muted: false, deafened: false, bot: false, ...flags }, min(m));
  const shape = (s: VoiceStay) => ({
    user: s.userId,
    channel: s.channelId,
    from: (s.startedAt - T0) / 60_000,
    to: s.endedAt === null ? null : (s.endedAt - T0) / 60_000,
    afk: s.afk,
    estimated: s.endEstimated,
  });
  const flags = async (stay: VoiceStay) =>
    (await app.voice.flags(stay.id)).map((f) => ({ kind: f.kind, from: (f.startedAt - T0) / 60_000, to: f.endedAt === null ? null : (f.endedAt - T0) / 60_000 }));

  it('ignores repeated states and flag-only changes keep the stay', async () => {
    await at(0, alice, A);
    await at(1, alice, A);
    await at(2, alice, A, { deafened: true });
    await at(3, alice, A, { deafened: true });
    expect((await app.voice.openStays(G)).map(shape)).toEqual([{ user: alice, channel: A, from: 0, to: null, afk: false, estimated: false }]);
    expect(await flags((await app.voice.openStays(G))[0]!)).toEqual([{ kind: 'deaf', from: 2, to: null }]);
  });

  it('reconciles both ways: closes stays of members gone, opens stays of members present, moves the moved', async () => {
    await at(0, alice, A);
    await at(0, bob, A);
    await at(0, carol, A);
    clock.set(min(30));
    const result = await app.voice.reconcile(G, [
      { userId: alice, channelId: A, muted: false, deafened: false, bot: false },
      { userId: carol, channelId: B, muted: false, deafened: false, bot: false },
      { userId: beep, channelId: A, muted: false, deafened: false, bot: true },
    ]);
    expect(result).toEqual({ opened: 1, closed: 2 });
    expect((await app.voice.stays(G, T0, min(60))).map(shape)).toEqual([
      { user: alice, channel: A, from: 0, to: null, afk: false, estimated: false },
      { user: bob, channel: A, from: 0, to: 30, afk: false, estimated: true },
      { user: carol, channel: A, from: 0, to: 30, afk: false, estimated: true },
      { user: carol, channel: B, from: 30, to: null, afk: false, estimated: false },
    ]);
  });

  it('after a crash closes open stays at the last heartbeat; a clean stop closes them at once', async () => {
    await at(0, alice, A, { muted: true });
    clock.set(min(10));
    await app.heartbeat.beat();
    clock.set(min(70));
    // The next run: nothing beat since minute 10.
    expect(await app.voice.recoverAfterCrash(await app.heartbeat.last())).toBe(1);
    const [stay] = await app.voice.stays(G, T0, min(120));
    expect(shape(stay!)).toEqual({ user: alice, channel: A, from: 0, to: 10, afk: false, estimated: true });
    expect(await flags(stay!)).toEqual([{ kind: 'mute', from: 0, to: 10 }]);

    await at(70, bob, B);
    expect(await app.voice.closeAll(min(80), { estimated: false })).toBe(1);
    expect((await app.voice.openStays()).length).toBe(0);
    expect(shape((await app.voice.stays(G, min(70), min(90)))[0]!)).toEqual({ user: bob, channel: B, from: 70, to: 80, afk: false, estimated: false });
  });

  it('the last moment a crashed run was watching is the earlier of its last beat and its gateway’s last connection', async () => {
    expect(await app.heartbeat.lastWatching()).toBeNull();
    clock.set(min(5));
    await app.heartbeat.beat(); // a run that never connected: its beat alone
    expect(await app.heartbeat.lastWatching()).toBe(min(5));
    app.heartbeat.noteConnected(min(8));
    app.heartbeat.noteConnected(min(7)); // an older note never moves it back
    clock.set(min(9));
    await app.heartbeat.beat();
    expect(await app.heartbeat.lastWatching()).toBe(min(8));
    clock.set(min(30)); // the gateway lost at minute 8, the process beating on
    await app.heartbeat.beat();
    expect([await app.heartbeat.last(), await app.heartbeat.lastConnected(), await app.heartbeat.lastWatching()]).toEqual([min(30), min(8), min(8)]);
  });

  it('applies a burst of events for one guild in arrival order even when fired without waiting', async () => {
    const moves = [A, B, A, B, null, A] as const;
    await Promise.all(moves.map((c, i) => at(i, alice, c)));
    expect((await app.voice.stays(G, T0, min(10))).map((s) => [s.channelId, (s.startedAt - T0) / 60_000, s.endedAt === null ? null : (s.endedAt - T0) / 60_000])).toEqual([
      [A, 0, 1],
      [B, 1, 2],
      [A, 2, 3],
      [B, 3, 4],
      [A, 5, null],
    ]);
  });
});

/**
 * The scripted evening, played by the emulator's members over the real gateway: joins, a
 * bot, mute/deafen, moves (flags kept), a switch to AFK, two channels in use at once. Each step
 * happens at a chosen minute on the bot's clock and waits until the bot has handled its
 * VOICE_STATE_UPDATE; then the stored stays, flag intervals and co-presence pairs are exact.
 */
describe('a scripted evening in voice, through the emulator', () => {
  let w: World;
  afterEach(() => w?.close());

  it('stores exactly the stays, mute/deafen intervals and per-channel co-presence it played', async () => {
    w = await startWorld({ now: T0 });
    const f = w.emu.fixture;
    const guild = f.guildId;
    const [a, b, c, bot] = (['alice', 'bob', 'carol', 'beep'] as const).map((k) => f.members[k]!.id) as [string, string, string, string];
    const { squadA, squadB, afk } = f.channels as Record<'squadA' | 'squadB' | 'afk', string>;
    const names: Record<string, string> = { [a]: 'alice', [b]: 'bob', [c]: 'carol', [squadA]: 'squadA', [squadB]: 'squadB', [afk]: 'afk' };

    // VOICE_STATE_UPDATEs the emulator sent, and those the bot's shard received.
    let sent = 0;
    let received = 0;
    w.emu.on('event', (e) => {
      if (e.kind === 'gateway' && (e as { direction?: string }).direction === 'out' && (e as { t?: string }).t === 'VOICE_STATE_UPDATE') sent += 1;
    });
    w.gateway.manager.on(WebSocketShardEvents.Dispatch, (payload) => {
      if (payload.t === 'VOICE_STATE_UPDATE') received += 1;
    });
    /** At minute `m` a member acts; resolves once the bot has handled every voice event it caused. */
    const step = async (m: number, action: () => Promise<unknown>) => {
      w.clock.set(min(m));
      const before = sent;
      await action();
      expect(sent).toBeGreaterThan(before);
      await eventually(() => received === sent);
      await w.gateway.idle();
      await w.app.voice.settle();
    };

    await step(0, () => w.emu.joinVoice(a, squadA));
    await step(5, () => w.emu.joinVoice(bot, squadA)); // a bot: never tracked
    await step(10, () => w.emu.joinVoice(b, squadA));
    await step(20, () => w.emu.joinVoice(c, squadB)); // two channels in use at once
    await step(30, () => w.emu.setVoiceFlags(a, { selfMute: true }));
    await step(40, () => w.emu.setVoiceFlags(a, { selfMute: false }));
    await step(40, () => w.emu.setVoiceFlags(b, { selfMute: true, selfDeaf: true }));
    await step(50, () => w.emu.joinVoice(b, squadB)); // a move keeps his flags
    await step(60, () => w.emu.joinVoice(a, afk));
    await step(70, () => w.emu.setVoiceFlags(b, { selfMute: false, selfDeaf: false }));
    await step(80, () => w.emu.leaveVoice(c));
    await step(90, () => w.emu.leaveVoice(a));
    await step(90, () => w.emu.leaveVoice(b));
    await step(95, () => w.emu.leaveVoice(bot));

    const stays = await w.app.voice.stays(guild, T0, min(120));
    const shape = (s: VoiceStay) =>
      `${names[s.userId]} ${names[s.channelId]} ${(s.startedAt - T0) / 60_000}→${s.endedAt === null ? 'open' : (s.endedAt - T0) / 60_000}${s.afk ? ' afk' : ''}${s.endEstimated ? ' (estimated)' : ''}`;
    expect(stays.map(shape)).toEqual(['alice squadA 0→60', 'bob squadA 10→50', 'carol squadB 20→80', 'bob squadB 50→90', 'alice afk 60→90 afk']);
    expect(stays.some((s) => s.userId === bot)).toBe(false);
    const flagsOf = async (stay: VoiceStay) => (await w.app.voice.flags(stay.id)).map((x) => `${x.kind} ${(x.startedAt - T0) / 60_000}→${x.endedAt === null ? 'open' : (x.endedAt - T0) / 60_000}`);
    expect(await Promise.all(stays.map(flagsOf))).toEqual([['mute 30→40'], ['mute 40→50', 'deaf 40→50'], [], ['mute 50→70', 'deaf 50→70'], []]);

    // Per channel: Alice and Carol were never in the same channel; AFK time never counts.
    const pairs = coPresence(stays.map((s) => ({ channelId: s.channelId, userId: s.userId, start: s.startedAt, end: s.endedAt!, afk: s.afk ? 1 : 0 })));
    const byPair = Object.fromEntries(pairs.map((p) => [[names[p.a], names[p.b]].sort().join('+'), p.ms / 60_000]));
    expect(byPair).toEqual({ 'alice+bob': 40, 'bob+carol': 30 });
  }, 30_000);
});
