/**
 * A stopped gateway stays stopped, and two in one process keep their own sessions — on the real
 * @discordjs/ws client against the emulator.
 *
 * Found by CI (PGlite, a loaded machine): a test's world stopped its bot while @discordjs/ws waited
 * the 500 ms it waits between a zombie close and its reconnect. The shard reported idle, so the
 * manager's destroy skipped it; it connected again afterwards, read the next world's session from
 * @discordjs/ws's store (one per process, by shard id), and resumed it: the two fought over that
 * session ("Session resumed elsewhere", every half second) and the next world's interactions and
 * voice events were lost.
 */
import { REST } from '@discordjs/rest';
import { WebSocketShardEvents } from '@discordjs/ws';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayShard } from '../../src/gateway/shard.js';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';
import { systemClock } from '../../src/shared/clock.js';
import { testLogger } from '../helpers/app.js';
import { eventually } from '../helpers/world.js';

const started: { emu: Emulator; shard: GatewayShard }[] = [];

afterEach(async () => {
  for (const { emu, shard } of started.splice(0)) {
    await shard.destroy().catch(() => undefined);
    await emu.close();
  }
});

/** A bot's gateway on its own emulator, counting the dispatches it hands on. */
async function connected() {
  const emu = await startEmulator({ heartbeatIntervalMs: 1_000 });
  const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
  const dispatched: string[] = [];
  const shard = new GatewayShard({
    token: emu.token,
    rest,
    log: testLogger(),
    clock: systemClock,
    hooks: { dispatch: (p) => void dispatched.push(p.t) },
    identifyThrottler: { waitForIdentify: async () => {} },
  });
  started.push({ emu, shard });
  await shard.connect();
  await eventually(() => expect(shard.connection.connected).toBe(true));
  return { emu, shard, dispatched };
}

/** Frames the emulator received from clients: IDENTIFY (2) and RESUME (6). */
const starts = (emu: Emulator) => emu.events.filter((e) => e.kind === 'gateway' && e.direction === 'in' && (e.op === 2 || e.op === 6)).map((e) => (e as { op: number }).op);

describe('the gateway shard, stopped and side by side', () => {
  it('a stop during the half second between a close and the reconnect leaves nothing connected', async () => {
    const { emu, shard, dispatched } = await connected();
    expect(starts(emu)).toEqual([2]);
    // The emulator closes the connection (resumable): @discordjs/ws waits 500 ms, then resumes.
    const closed = new Promise((resolve) => shard.manager.once(WebSocketShardEvents.Closed, resolve));
    emu.dropGateway({ code: 4000 });
    await closed;
    await shard.destroy(); // inside that half second
    const handedOn = dispatched.length;
    await new Promise((r) => setTimeout(r, 1_500));
    expect(starts(emu)).toEqual([2]); // no RESUME, no IDENTIFY after the stop
    expect(emu.gatewaySessions.filter((s) => s.connected)).toEqual([]);
    expect(dispatched.length).toBe(handedOn);
  });

  it('two gateways in one process each resume their own session after a drop', async () => {
    const a = await connected();
    const b = await connected();
    a.emu.dropGateway();
    b.emu.dropGateway();
    for (const { emu } of [a, b]) {
      await eventually(() => expect(starts(emu)).toEqual([2, 6]));
      await eventually(() => expect(emu.gatewaySessions.map((s) => ({ connected: s.connected, invalidated: s.invalidated }))).toEqual([{ connected: true, invalidated: false }]));
    }
    expect(a.emu.events.some((e) => e.kind === 'gateway' && e.op === 9)).toBe(false); // no INVALID_SESSION
    expect(b.emu.events.some((e) => e.kind === 'gateway' && e.op === 9)).toBe(false);
  });
});
