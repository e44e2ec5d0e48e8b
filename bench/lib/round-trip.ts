/**
 * The command round trip as a member lives it — they act, the answer is visible in the emulator —
 * with commands delivered over the webhook (`INTERACTIONS=http`: a signed POST, the answer in the
 * HTTP response) and over the gateway (`INTERACTIONS=gateway`: INTERACTION_CREATE, the answer POSTed
 * to the callback endpoint), measured in the same run. The bot (the sandbox's, from source) runs in
 * this process with its own emulator, one mode at a time, in the order http, gateway, gateway, http
 * (half the samples each time), so a drift in other work on the machine falls on both alike.
 */
import { performance } from 'node:perf_hooks';
import { startSandbox, type Sandbox } from '../../src/cli/start-sandbox.js';
import type { InteractionMode } from '../../src/shared/config.js';
import { percentile, round } from './stats.js';

/** What a member does, and how long until they see the answer. */
export type Act = 'command' | 'autocomplete' | 'button';

export interface RoundTrip {
  n: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  meanMs: number;
}

export type RoundTrips = Record<InteractionMode, Record<Act, RoundTrip>>;

const MODES: readonly InteractionMode[] = ['http', 'gateway'];
const ACTS: readonly Act[] = ['command', 'autocomplete', 'button'];

/** One act, timed from the member's action to the answer shown (the message, or the choices). */
async function act(sandbox: Sandbox, what: Act, dailyMessageId: string): Promise<number> {
  const { emu } = sandbox;
  const m = emu.fixture.members;
  const started = performance.now();
  if (what === 'command') {
    const r = await emu.runCommand(m.alice.id, 'config', [{ name: 'show', options: [] }]);
    if (r.error) throw new Error(`/config show over ${sandbox.config.interactions}: ${r.error}`);
    await r.final();
  } else if (what === 'autocomplete') {
    const choices = await emu.autocomplete(m.bob.id, 'timezone', [{ name: 'set', options: [{ name: 'zone', value: 'Par', focused: true }] }]);
    if (choices.length === 0) throw new Error('autocomplete answered no choice');
  } else {
    const r = await emu.pressButton(m.carol.id, dailyMessageId, 'not-tonight:');
    if (r.error) throw new Error(`Not tonight over ${sandbox.config.interactions}: ${r.error}`);
    await r.final();
  }
  return performance.now() - started;
}

function summary(samples: number[]): RoundTrip {
  return {
    n: samples.length,
    p50Ms: round(percentile(samples, 50)),
    p95Ms: round(percentile(samples, 95)),
    p99Ms: round(percentile(samples, 99)),
    meanMs: round(samples.reduce((a, b) => a + b, 0) / samples.length),
  };
}

/** `samples` of each act in each mode (after `warmup` unmeasured ones per sitting). */
export async function measureRoundTrips(options: { samples: number; warmup: number; progress: (line: string) => void }): Promise<RoundTrips> {
  const samples = new Map(MODES.map((mode) => [mode, new Map(ACTS.map((a) => [a, [] as number[]]))]));
  const sittings: InteractionMode[] = ['http', 'gateway', 'gateway', 'http'];
  for (const [n, mode] of sittings.entries()) {
    const count = n < 2 ? Math.ceil(options.samples / 2) : Math.floor(options.samples / 2);
    options.progress(`round trips over ${mode}: ${count} of each act (${n + 1}/${sittings.length})`);
    // The daily message is posted at start (its Not tonight button is pressed below).
    const sandbox = await startSandbox({ interactions: mode, logLevel: 'silent', postToday: true });
    try {
      const daily = sandbox.emu.messages(sandbox.emu.fixture.channels.tonight).find((msg) => msg.components?.length)?.id;
      if (!daily) throw new Error(`no daily message with a button in the ${mode} sandbox`);
      for (let i = -options.warmup; i < count; i++) {
        for (const what of ACTS) {
          const ms = await act(sandbox, what, daily);
          if (i >= 0) samples.get(mode)!.get(what)!.push(ms);
        }
      }
    } finally {
      await sandbox.close();
    }
  }
  return Object.fromEntries(MODES.map((mode) => [mode, Object.fromEntries(ACTS.map((a) => [a, summary(samples.get(mode)!.get(a)!)]))])) as RoundTrips;
}
