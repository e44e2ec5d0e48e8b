/**
 * Scenario 6: load. 1 000 signed interactions per second of mixed commands (60 s; quick: 10 s),
 * open-loop, while scenario 3's burst of clicks and faults runs on the same bot. Figures: p99,
 * errors, event-loop lag, RSS after the load over RSS after a warm-up of the same load and burst
 * (no leak: ≤ 1.2), and the
 * daily message still equal to the votes afterwards.
 */
import { paced, type PreparedRequest } from '../bench/lib/load.js';
import { autocomplete, command, ping } from '../tests/helpers/interactions.js';
import type { Rng } from './lib/rng.js';
import { sleep } from './lib/world.js';
import { count429, MEMBERS, settle, setUpReactionsWorld, startBurst } from './reactions.js';

export interface LoadOutcome {
  rate: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  failed: number;
  eventLoopLagP99Ms: number;
  rssWarmMiB: number;
  rssAfterMiB: number;
  rssGrowth: number;
  lostVotes: number;
  phantomVotes: number;
  bot429: number;
  ok: boolean;
}

export async function runLoad(o: { dir: string; rng: Rng; seconds: number; rate: number; progress: (m: string) => void }): Promise<LoadOutcome> {
  const w = await setUpReactionsWorld(o.dir);
  const { emu, bot } = w;
  try {
    const admin = { userId: emu.fixture.members.alice.id, guildId: emu.fixture.guildId };
    const member = { userId: emu.fixture.members.bob.id, guildId: emu.fixture.guildId, permissions: '2048' };
    const mix = [
      command('config', 'show', [], admin),
      command('schedule', 'show', [], member),
      command('timezone', 'show', [], member),
      command('privacy', 'show', [], member),
      autocomplete('config', 'timezone', { name: 'zone', value: 'Eur' }, admin),
      autocomplete('timezone', 'set', { name: 'zone', value: 'new' }, member),
      ping(),
    ];
    // Signed once: a signature stays valid for Discord's 5-minute window, longer than the run.
    const requests: PreparedRequest[] = mix.map((i) => {
      const body = JSON.stringify(i);
      return { method: 'POST', path: '/interactions', headers: { 'content-type': 'application/json', ...emu.signedHeaders(body) }, body };
    });
    const url = bot.url;
    // Warm-up: the same load and burst, long enough for V8 and malloc to size themselves (RSS climbs
    // for the first ~10 000 requests, then stays: see README, Reliability). RSS is compared after it.
    const warmS = Math.max(10, Math.round(o.seconds / 2));
    o.progress(`load: warm-up ${warmS} s at ${o.rate} req/s with the burst`);
    const warmBurst = startBurst(w, o.rng.fork('warm-up'), warmS);
    await paced(url, requests, o.rate, warmS);
    await warmBurst.done;
    await sleep(2000);
    const rssWarmMiB = bot.rssMiB();
    const burst = startBurst(w, o.rng, o.seconds);
    const load = await paced(url, requests, o.rate, o.seconds);
    const { lastFaultAt } = await burst.done;
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const lag = Number(/^nodejs_eventloop_lag_p99_seconds ([0-9.e+-]+)/m.exec(metrics)?.[1] ?? Number.NaN) * 1000;
    const s = await settle(w, lastFaultAt);
    await sleep(2000);
    const rssAfterMiB = bot.rssMiB();
    const rssGrowth = rssAfterMiB / rssWarmMiB;
    const { earned } = count429(burst.events);
    o.progress(`load: ${load.rps.toFixed(0)} req/s answered, p99 ${load.p99Ms.toFixed(1)} ms, ${load.failed} failed, with ${MEMBERS} members clicking under faults`);
    return {
      rate: o.rate,
      seconds: o.seconds,
      rps: load.rps,
      p50Ms: load.p50Ms,
      p99Ms: load.p99Ms,
      failed: load.failed,
      eventLoopLagP99Ms: lag,
      rssWarmMiB,
      rssAfterMiB,
      rssGrowth,
      lostVotes: s.lost,
      phantomVotes: s.phantom,
      bot429: earned,
      ok: load.failed === 0 && rssGrowth <= 1.2 && s.lost === 0 && s.phantom === 0 && !Number.isNaN(s.settleMs) && earned === 0,
    };
  } finally {
    await bot.kill9();
    await emu.close();
  }
}
