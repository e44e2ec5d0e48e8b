/**
 * Scenario 3: reactions under faults. 40 members click and un-click hours on today's message for
 * a while (60 s; quick: 20 s) while the emulator drops the gateway (resumable and not), answers
 * bursts of 429 and 500, and adds latency. Afterwards the message text must equal the true
 * reaction set (no lost, no phantom vote) within 30 s of the last fault, and the bot must have
 * earned no 429 of its own (the injected ones do not count).
 */
import { generateMembers, type Emulator, type WireEvent } from '../src/sandbox/index.js';
import { startBot, type BotProcess } from './lib/bot.js';
import type { Rng } from './lib/rng.js';
import { checkText, configuredDatabase, displayNames, emulator, integrity, postRows, sleep, waitFor } from './lib/world.js';

export const MEMBERS = 40;

export interface ReactionsResult {
  clicks: number;
  faults: Record<string, number>;
  lostVotes: number;
  phantomVotes: number;
  settleMs: number;
  bot429: number;
  injected429: number;
  edits: number;
  integrityOk: boolean;
  ok: boolean;
}

/** A burst of clicks and faults against a running bot; used by scenarios 3 and 6. */
export interface Burst {
  emu: Emulator;
  bot: BotProcess;
  path: string;
  /** Resolves when the clicking and the faults are over; `lastFaultAt` is when the last fault was lifted. */
  done: Promise<{ clicks: number; faults: Record<string, number>; lastFaultAt: number }>;
  events: WireEvent[];
}

export async function setUpReactionsWorld(dir: string): Promise<{ emu: Emulator; bot: BotProcess; path: string }> {
  const emu = await emulator({ fixture: { extraMembers: generateMembers(MEMBERS) } });
  const path = `${dir}/reactions.sqlite`;
  await configuredDatabase(emu, path);
  const bot = await startBot({ emu, databasePath: path, waitReady: true });
  if (Number.isNaN(await waitFor(() => postRows(path)[0]?.state === 'reacted', 30_000, 100))) throw new Error('the daily message was never posted and reacted');
  return { emu, bot, path };
}

export function startBurst(w: { emu: Emulator; bot: BotProcess; path: string }, rng: Rng, seconds: number): Burst {
  const { emu } = w;
  const post = postRows(w.path)[0]!;
  const channel = post.channel_id;
  const messageId = post.message_id!;
  const emoji = Object.keys(emu.reactionUsers(channel, messageId));
  const members = Object.entries(emu.fixture.members)
    .filter(([k]) => k.startsWith('member'))
    .map(([, m]) => m.id);
  const events: WireEvent[] = [];
  const listen = (e: WireEvent) => {
    if (e.kind === 'rest') events.push(e);
  };
  emu.on('event', listen);
  const end = Date.now() + seconds * 1000;

  const clicking = (async () => {
    let clicks = 0;
    await Promise.all(
      members.map(async (user, i) => {
        const own = rng.fork(`member-${i}`);
        while (Date.now() < end) {
          await sleep(own.int(300, 2500));
          const e = own.pick(emoji);
          const holders = emu.reactionUsers(channel, messageId)[e] ?? [];
          if (holders.includes(user)) await emu.unreact(user, channel, messageId, e);
          else await emu.react(user, channel, messageId, e);
          clicks += 1;
        }
      }),
    );
    return clicks;
  })();

  const faulting = (async () => {
    const faults: Record<string, number> = {};
    const note = (k: string) => (faults[k] = (faults[k] ?? 0) + 1);
    let lastFaultAt = Date.now();
    // Faults stop 2 s before the clicks do, so the last clicks land on a working bot too.
    while (Date.now() < end - 2000) {
      await sleep(rng.int(1500, 4000));
      if (Date.now() >= end - 2000) break;
      const kind = rng.pick(['drop-resumable', 'drop-new-session', '429-edits', '429-reactions', '500-edits', '500-reactions', 'latency'] as const);
      note(kind);
      switch (kind) {
        case 'drop-resumable':
          emu.dropGateway({ resumable: true });
          break;
        case 'drop-new-session':
          emu.dropGateway({ resumable: false });
          break;
        case '429-edits':
          emu.injectFault({ method: 'PATCH', route: '/channels/:id/messages/:id', status: 429, count: rng.int(1, 4), retryAfter: rng.pick([0.5, 1, 2]) });
          break;
        case '429-reactions':
          emu.injectFault({ method: 'GET', route: '/channels/:id/messages/:id/reactions/:emoji', status: 429, count: rng.int(1, 6), retryAfter: 1 });
          emu.injectFault({ method: 'DELETE', route: '/channels/:id/messages/:id/reactions/:emoji/:id', status: 429, count: rng.int(1, 3), retryAfter: 1 });
          break;
        case '500-edits':
          emu.injectFault({ method: 'PATCH', route: '/channels/:id/messages/:id', status: rng.pick([500, 502, 503] as const), count: rng.int(1, 4) });
          break;
        case '500-reactions':
          emu.injectFault({ method: 'GET', route: '/channels/:id/messages/:id/reactions/:emoji', status: 500, count: rng.int(1, 6) });
          break;
        case 'latency':
          emu.injectFault({ method: '*', route: '*', latencyMs: rng.int(200, 1500), count: rng.int(3, 12) });
          break;
      }
      lastFaultAt = Date.now();
    }
    return { faults, lastFaultAt };
  })();

  const done = Promise.all([clicking, faulting]).then(([clicks, f]) => {
    emu.clearFaults();
    return { clicks, faults: f.faults, lastFaultAt: Math.max(f.lastFaultAt, Date.now()) };
  });
  void done.finally(() => emu.off('event', listen));
  return { emu, bot: w.bot, path: w.path, done, events };
}

/** 429s the emulator's own limits answered (the bot earned them), and the injected ones. */
export function count429(events: WireEvent[]): { earned: number; injected: number } {
  let earned = 0;
  let injected = 0;
  for (const e of events) {
    if (e.kind !== 'rest' || e.status !== 429) continue;
    if (e.fault) injected += 1;
    else earned += 1;
  }
  return { earned, injected };
}

/** Waits until the text equals the votes; the time from `since`. */
export async function settle(w: { emu: Emulator; path: string }, since: number, timeoutMs = 30_000): Promise<{ settleMs: number; lost: number; phantom: number }> {
  const names = displayNames(w.emu);
  const post = () => postRows(w.path)[0]!;
  const ok = () => {
    const c = checkText(w.emu, post(), names);
    return c.lost === 0 && c.phantom === 0 && c.namesOk && c.linesOk;
  };
  const waited = await waitFor(ok, Math.max(0, timeoutMs - (Date.now() - since)), 50);
  // Stable: still right a moment later (no edit in flight that would change it).
  await sleep(1500);
  const c = checkText(w.emu, post(), names);
  return { settleMs: Number.isNaN(waited) ? Number.NaN : Date.now() - 1500 - since, lost: c.lost, phantom: c.phantom };
}

export async function runReactions(o: { dir: string; rng: Rng; seconds: number; progress: (m: string) => void }): Promise<ReactionsResult> {
  const w = await setUpReactionsWorld(o.dir);
  try {
    await sleep(1500);
    const burst = startBurst(w, o.rng, o.seconds);
    const { clicks, faults, lastFaultAt } = await burst.done;
    o.progress(`reactions: ${clicks} clicks by ${MEMBERS} members, faults ${JSON.stringify(faults)}`);
    const s = await settle(w, lastFaultAt);
    const { earned, injected } = count429(burst.events);
    if (s.lost || s.phantom || Number.isNaN(s.settleMs)) {
      for (const line of w.bot
        .lines(/reconcil|stray|gateway|"level":[45]0/i)
        .filter((l) => !/voice greeting unavailable/.test(l))
        .slice(-25))
        o.progress(`bot: ${line.slice(0, 300)}`);
    }
    const edits = burst.events.filter((e) => e.kind === 'rest' && e.method === 'PATCH' && e.status === 200).length;
    await w.bot.stop();
    const integrityOk = integrity(w.path);
    return {
      clicks,
      faults,
      lostVotes: s.lost,
      phantomVotes: s.phantom,
      settleMs: s.settleMs,
      bot429: earned,
      injected429: injected,
      edits,
      integrityOk,
      ok: s.lost === 0 && s.phantom === 0 && !Number.isNaN(s.settleMs) && s.settleMs <= 30_000 && earned === 0 && integrityOk,
    };
  } finally {
    await w.bot.kill9();
    await w.emu.close();
  }
}
