/**
 * Scenario 2: kill -9 at every step of the daily post, then restart. Each cycle is a fresh
 * emulator (an empty #tonight) and a copy of one configured database with no message yet for
 * today; the bot starts, posts at once (its post time has passed), is killed at the cycle's step,
 * and is started again on the same file. Afterwards: exactly one daily message in the channel, all
 * clock reactions of the bot on it, its text equal to the votes, and `PRAGMA integrity_check` ok —
 * both right after the kill and after the clean stop.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Emulator } from '../src/sandbox/index.js';
import { LATE_EDIT_MS } from '../src/shared/discord/message-editor.js';
import { startBot, type BotProcess } from './lib/bot.js';
import type { Rng } from './lib/rng.js';
import { checkText, configuredDatabase, copyDatabase, displayNames, emulator, integrity, postRows, sleep, waitFor, type PostRow } from './lib/world.js';

export const STEPS = ['before-intent', 'after-intent', 'mid-post', 'after-post', 'mid-reactions', 'mid-edit'] as const;
export type Step = (typeof STEPS)[number];

const CREATE = 'POST /channels/:id/messages';
const REACT = 'PUT /channels/:id/messages/:id/reactions/:emoji/@me';
const EDIT = 'PATCH /channels/:id/messages/:id';

export interface CycleResult {
  step: Step;
  /** What was found at the kill: the row's state and what the channel held. */
  observed: string;
  killed: boolean;
  messages: number;
  duplicate: boolean;
  missing: boolean;
  integrityAfterKill: boolean;
  integrityAfterStop: boolean;
  lost: number;
  phantom: number;
  missingClocks: number;
  namesOk: boolean;
  settleMs: number;
  error?: string;
  /** What the channel showed against the truth, when they differ. */
  detail?: string;
}

export interface KillsResult {
  cycles: CycleResult[];
  kills: number;
  duplicatePosts: number;
  missingPosts: number;
  integrityOk: boolean;
  lostVotes: number;
  phantomVotes: number;
  ok: boolean;
}

const requests = (emu: Emulator, route: string) => emu.counters.requests[route] ?? 0;
const dailyMessages = (emu: Emulator) => emu.messages(emu.fixture.channels.tonight).filter((m) => m.author.id === emu.world.botUserId && m.content.startsWith("**Who's playing tonight?**"));

function describeRow(rows: PostRow[], emu: Emulator): string {
  const row = rows[0];
  const messages = dailyMessages(emu);
  const reactions = messages[0] ? Object.values(emu.reactionUsers(emu.fixture.channels.tonight, messages[0].id)).filter((u) => u.includes(emu.world.botUserId)).length : 0;
  return `${row ? row.state : 'no row'}, ${messages.length} msg, ${reactions} clocks`;
}

/** Members voting: `count` random (member, slot) clicks on the message. */
async function vote(emu: Emulator, rng: Rng, post: PostRow, emoji: string[], count: number): Promise<void> {
  const members = Object.values(emu.fixture.members)
    .filter((m) => !m.bot)
    .map((m) => m.id);
  for (let i = 0; i < count; i++) {
    const user = rng.pick(members);
    const e = rng.pick(emoji);
    const holders = emu.reactionUsers(post.channel_id, post.message_id!)[e] ?? [];
    if (holders.includes(user) && rng.chance(0.5)) await emu.unreact(user, post.channel_id, post.message_id!, e);
    else await emu.react(user, post.channel_id, post.message_id!, e);
  }
}

/** The step a kill landed at, from what was found right after it. */
function stepOf(observed: string): Step {
  if (observed.startsWith('no row')) return 'before-intent';
  if (observed.startsWith('planned, 0 msg')) return 'after-intent';
  if (observed.startsWith('planned')) return 'mid-post';
  if (/^posted, 1 msg, 0 clocks/.test(observed)) return 'after-post';
  if (observed.startsWith('posted')) return 'mid-reactions';
  return 'mid-edit';
}

/** How long the last start took (spawn → /healthz), for placing a kill inside the next one. */
let lastStartMs = 1500;

/** SIGKILLs a bot while `startBot` is still waiting for it to answer. */
async function killDuringStart(started: Promise<BotProcess>, child: ChildProcess | undefined): Promise<boolean> {
  if (!child || child.exitCode !== null) return false;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  // startBot sees the exit and rejects; if it had already answered, stop that process too.
  await started.then(
    (b) => b.kill9(),
    () => undefined,
  );
  return true;
}

async function cycle(step: Step, template: string, dir: string, index: number, rng: Rng): Promise<CycleResult> {
  const startMs = lastStartMs;
  const emu = await emulator();
  const path = join(dir, `kill-${index}.sqlite`);
  copyDatabase(template, path);
  const result: CycleResult = {
    step,
    observed: '',
    killed: false,
    messages: 0,
    duplicate: false,
    missing: false,
    integrityAfterKill: false,
    integrityAfterStop: false,
    lost: 0,
    phantom: 0,
    missingClocks: 0,
    namesOk: false,
    settleMs: Number.NaN,
  };
  let bot: BotProcess | undefined;
  try {
    const rows = () => postRows(path);
    // Faults that hold the bot at the step long enough to kill it there.
    if (step === 'after-intent') emu.injectFault({ method: 'POST', route: '/channels/:id/messages', status: 500, count: 20 });
    if (step === 'mid-post') emu.injectFault({ method: 'POST', route: '/channels/:id/messages', latencyMs: 1500 + rng.int(0, 500) });
    if (step === 'after-post') emu.injectFault({ method: 'PUT', route: '/channels/:id/messages/:id/reactions/:emoji/@me', latencyMs: 2000 });
    const spawned = Date.now();
    let spawnedChild: ChildProcess | undefined;
    const started = startBot({ emu, databasePath: path, onSpawn: (c) => (spawnedChild = c) });
    started.catch(() => undefined);
    let condition: () => boolean | Promise<boolean>;
    switch (step) {
      case 'before-intent': {
        // The first tick writes the intent right after the port opens: a kill at a random moment of
        // the start-up (before it) is a power cut before the intent row; the row's absence is checked.
        const at = Date.now() + rng.int(Math.round(startMs * 0.1), Math.round(startMs * 0.6));
        condition = () => Date.now() >= at;
        break;
      }
      case 'after-intent':
        condition = () => requests(emu, CREATE) >= 1 && rows()[0]?.state === 'planned';
        break;
      case 'mid-post':
        condition = () => requests(emu, CREATE) >= 1;
        break;
      case 'after-post':
        condition = () => requests(emu, REACT) >= 1;
        break;
      case 'mid-reactions': {
        const k = rng.int(1, 9);
        condition = () => requests(emu, REACT) >= k;
        break;
      }
      case 'mid-edit':
        condition = () => rows()[0]?.state === 'reacted';
        break;
    }
    if (step === 'before-intent') {
      await waitFor(condition, 30_000, 2);
      // Killed from outside while it starts: the start promise fails, which is the point.
      result.killed = await killDuringStart(started, spawnedChild);
      result.observed = describeRow(rows(), emu);
      // The start was quicker than the kill: the intent (or more) was written. Still a kill during the
      // post, counted at the step the evidence shows.
      if (rows().length > 0) result.step = stepOf(result.observed);
    } else {
      bot = await started;
      lastStartMs = Date.now() - spawned;
    }
    if (step === 'mid-edit') {
      // Posted and reacted; now members vote, an edit goes out and is held; the kill lands while Discord holds it.
      if (Number.isNaN(await waitFor(condition, 30_000))) throw new Error('never reached the state to kill in');
      const post = rows()[0]!;
      const emoji = Object.keys(emu.reactionUsers(post.channel_id, post.message_id!));
      await sleep(1500); // the post's own edits age out of the edit bucket
      const before = requests(emu, EDIT);
      emu.injectFault({ method: 'PATCH', route: '/channels/:id/messages/:id', latencyMs: 1500 });
      await vote(emu, rng, post, emoji, rng.int(2, 6));
      condition = () => requests(emu, EDIT) > before;
    }
    if (bot) {
      if (Number.isNaN(await waitFor(condition, 30_000, 2))) throw new Error(`never reached step ${step}`);
      await bot.kill9();
      result.killed = true;
      result.observed = describeRow(rows(), emu);
    }
    result.integrityAfterKill = integrity(path);
    emu.clearFaults();
    // While the bot is down, members keep voting on whatever message exists.
    const existing = dailyMessages(emu)[0];
    const row = rows()[0];
    if (existing && row) {
      const emoji = Object.keys(emu.reactionUsers(emu.fixture.channels.tonight, existing.id));
      if (emoji.length) await vote(emu, rng, { ...row, message_id: existing.id, channel_id: emu.fixture.channels.tonight }, emoji, rng.int(1, 4));
    }

    bot = await startBot({ emu, databasePath: path, ...(process.env.SOAK_DEBUG ? { logLevel: 'info' } : {}) });
    const names = displayNames(emu);
    const settled = () => {
      const post = rows()[0];
      if (!post || post.state !== 'reacted' || !post.message_id) return false;
      const check = checkText(emu, post, names);
      return check.lost === 0 && check.phantom === 0 && check.missingClocks === 0 && check.linesOk && dailyMessages(emu).length >= 1;
    };
    const restarted = Date.now();
    const ms = await waitFor(settled, 45_000, 50);
    result.settleMs = Number.isNaN(ms) ? Number.NaN : Date.now() - restarted;
    // Give a duplicate the chance to appear before counting. After a kill mid-edit, the dead process's
    // PATCH may land late (the emulator holds it, as Discord may): the text must be right after that
    // too, once the bot's re-edit has gone out (LATE_EDIT_MS after it took the lease over).
    await sleep(step === 'mid-edit' ? Math.max(500, LATE_EDIT_MS + 3000 - (Date.now() - restarted)) : 500);
    const messages = dailyMessages(emu);
    result.messages = messages.length;
    result.duplicate = messages.length > 1;
    result.missing = messages.length === 0;
    const post = rows()[0];
    if (post?.message_id) {
      const check = checkText(emu, post, names);
      if (check.lost || check.phantom || process.env.SOAK_DEBUG) {
        const truth = emu.reactionUsers(post.channel_id, post.message_id);
        result.detail = `state ${post.state}; text: ${emu.message(post.channel_id, post.message_id)?.content.split('\n').slice(3).join(' | ')}; truth: ${Object.entries(truth)
          .map(([e, u]) => `${e}${u.length - 1}${process.env.SOAK_DEBUG ? `[${u.map((id) => names(id)).join(',')}]` : ''}`)
          .join(' ')}; bot log: ${bot
          .lines(/reconcil|stray|"level":[45]0|posted|planned|dispatch|READY/i)
          .filter((l) => !/voice greeting unavailable/.test(l))
          .slice(-6)
          .join(' / ')}`;
      }
      Object.assign(result, { lost: check.lost, phantom: check.phantom, missingClocks: check.missingClocks, namesOk: check.namesOk && check.linesOk });
    } else {
      result.missing = true;
    }
    await bot.stop();
    result.integrityAfterStop = integrity(path);
  } catch (error) {
    result.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (bot && !bot.exited()) {
      result.error += ` | bot: ${bot.output().split('\n').slice(-3).join(' / ')}`;
      await bot.kill9();
    }
  } finally {
    await emu.close();
  }
  return result;
}

function passed(c: CycleResult): boolean {
  return (
    c.killed &&
    !c.error &&
    !c.duplicate &&
    !c.missing &&
    c.integrityAfterKill &&
    c.integrityAfterStop &&
    c.lost === 0 &&
    c.phantom === 0 &&
    c.missingClocks === 0 &&
    c.namesOk &&
    !Number.isNaN(c.settleMs)
  );
}

export async function runKills(o: { cycles: number; rng: Rng; dir: string; progress: (m: string) => void; steps?: readonly Step[] }): Promise<KillsResult> {
  const template = join(o.dir, 'kills-template.sqlite');
  const setup = await emulator();
  try {
    lastStartMs = await configuredDatabase(setup, template);
  } finally {
    await setup.close();
  }
  const steps = o.steps ?? STEPS;
  const cycles: CycleResult[] = [];
  for (let i = 0; i < o.cycles; i++) {
    const step = steps[i % steps.length]!;
    const c = await cycle(step, template, o.dir, i, o.rng.fork(`cycle-${i}`));
    cycles.push(c);
    o.progress(
      `kill ${i + 1}/${o.cycles} at ${step}: found ${c.observed || '—'}; after restart ${c.messages} message(s), settled in ${Number.isNaN(c.settleMs) ? 'never' : `${c.settleMs} ms`}${c.error ? `; ERROR ${c.error}` : ''}${passed(c) ? '' : ` ✗ ${c.detail ?? ''}`}`,
    );
  }
  return {
    cycles,
    kills: cycles.filter((c) => c.killed).length,
    duplicatePosts: cycles.filter((c) => c.duplicate).length,
    missingPosts: cycles.filter((c) => c.missing).length,
    integrityOk: cycles.every((c) => c.integrityAfterKill && c.integrityAfterStop),
    lostVotes: cycles.reduce((n, c) => n + c.lost, 0),
    phantomVotes: cycles.reduce((n, c) => n + c.phantom, 0),
    ok: cycles.length > 0 && cycles.every(passed),
  };
}
