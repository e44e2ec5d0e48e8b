/**
 * `npm run bench -- reactions`: 200 reactions from 40 members over 2 s on today's message, against
 * the emulator with Discord's real rate limits. Measures how long after the last click the channel
 * shows the final, correct text, how many edits that took and how many 429s were earned — for
 * rollcall's coalescing editor, and, in the same run, for the naive bot that edits on every click.
 * `correct` means the final text is exactly what the bot renders for its final state and that every
 * line has the right count and only (all) the right names.
 */
import { REST } from '@discordjs/rest';
import { generateMembers } from '../src/sandbox/index.js';
import type { DailyPost } from '../src/shared/services/daily-post.js';
import { slotsFor } from '../src/shared/time/slots.js';
import { startWorld, type World } from '../tests/helpers/world.js';
import { printResult, printTable, progress } from './lib/report.js';
import { round } from './lib/stats.js';

const MEMBERS = 40;
const REACTIONS = 200;
const SPREAD_MS = 2_000;
const POST_TIME = '2026-11-23T12:00:00Z';
const BASELINE_DEADLINE_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  /** NaN when the final text had not shown by the deadline. */
  settle_ms: number;
  edits: number;
  rate_limited: number;
  correct: boolean;
}

/** Who reacted to which slot: member i clicks five consecutive slots starting at i. */
function plan(slotEmoji: string[]): { member: number; emoji: string }[] {
  const clicks: { member: number; emoji: string }[] = [];
  for (let k = 0; clicks.length < REACTIONS; k++) {
    for (let member = 0; member < MEMBERS && clicks.length < REACTIONS; member++) {
      clicks.push({ member, emoji: slotEmoji[(member + k) % slotEmoji.length]! });
    }
  }
  return clicks;
}

/** Every slot line shows the number of members who clicked it (what the settle time waits for). */
function countsRight(content: string, slots: { emoji: string }[], clicks: { member: number; emoji: string }[]): boolean {
  return slots.every((slot) => {
    const expected = new Set(clicks.filter((c) => c.emoji === slot.emoji).map((c) => c.member)).size;
    const line = content.split('\n').find((l) => l.startsWith(slot.emoji));
    return line !== undefined && (expected === 0 ? line.endsWith('— ·') : line.includes(`**${expected}**`));
  });
}

/**
 * Every slot line names only members who clicked it, each once, and the names shown plus "and N more"
 * add up to everyone who did — checked against the plan and the emulator's members, not the bot.
 */
function namesRight(content: string, slots: { emoji: string }[], clicks: { member: number; emoji: string }[], names: string[]): boolean {
  return slots.every((slot) => {
    const expected = new Set(clicks.filter((c) => c.emoji === slot.emoji).map((c) => names[c.member]!));
    const line = content.split('\n').find((l) => l.startsWith(slot.emoji));
    if (line === undefined) return false;
    if (expected.size === 0) return line.endsWith('— ·');
    const match = /— \*\*(\d+)\*\*(?:: (.*?))?(?: and (\d+) more)?$/.exec(line);
    if (!match || Number(match[1]) !== expected.size) return false;
    const shown = match[2] ? match[2].split(', ') : [];
    const more = Number(match[3] ?? 0);
    return new Set(shown).size === shown.length && shown.every((n) => expected.has(n)) && shown.length + more === expected.size;
  });
}

async function burst(w: World, messageId: string, clicks: { member: number; emoji: string }[], members: string[], onClick?: () => void): Promise<number> {
  const channel = w.emu.fixture.channels.tonight;
  const started = Date.now();
  for (let i = 0; i < clicks.length; i++) {
    const due = started + (i * SPREAD_MS) / clicks.length;
    if (due > Date.now()) await sleep(due - Date.now());
    await w.emu.react(members[clicks[i]!.member]!, channel, messageId, clicks[i]!.emoji);
    onClick?.();
  }
  return Date.now();
}

async function waitUntil(check: () => boolean, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) return Number.NaN;
    await sleep(5);
  }
  return Date.now();
}

async function setUp(): Promise<{ w: World; post: DailyPost; messageId: string; members: string[]; names: string[]; slots: ReturnType<typeof slotsFor> }> {
  const w = await startWorld({ now: POST_TIME, emulator: { fixture: { extraMembers: generateMembers(MEMBERS) } } });
  const alice = w.emu.fixture.members.alice.id;
  await (await w.emu.runCommand(alice, 'config', [{ name: 'channel', options: [{ name: 'channel', value: w.emu.fixture.channels.tonight }] } as never])).final();
  await w.tick();
  const post = await w.app.posts.current(w.emu.fixture.guildId);
  const generated = Object.entries(w.emu.fixture.members).filter(([key]) => key.startsWith('member'));
  const members = generated.map(([, m]) => m.id);
  // What Discord shows as each member's name in this server (nick, else global name, else username).
  const names = members.map((id) => {
    const member = w.emu.world.member(w.emu.fixture.guildId, id);
    const user = w.emu.world.user(id);
    return member.nick ?? user.globalName ?? user.username;
  });
  // Let the posting's own requests age out of every window before measuring.
  await sleep(5_500);
  w.emu.resetCounters();
  return { w, post: post!, messageId: post!.message_id!, members, names, slots: slotsFor(post!.date, post!.timezone, post!.first_hour, post!.last_hour) };
}

async function rollcall(): Promise<Outcome> {
  const { w, post, messageId, members, names, slots } = await setUp();
  try {
    const clicks = plan(slots.map((s) => s.emoji));
    const editsBefore = w.app.editor.stats.edits;
    const text = () => w.emu.message(w.emu.fixture.channels.tonight, messageId)!.content;
    const last = await burst(w, messageId, clicks, members);
    const shown = await waitUntil(() => countsRight(text(), slots, clicks));
    await w.settle();
    // Correct: the channel shows exactly what the bot renders for its final state, and that state is
    // the truth — right counts and right names on every line.
    const final = text();
    return {
      settle_ms: shown - last,
      edits: w.app.editor.stats.edits - editsBefore,
      rate_limited: w.emu.counters.rateLimited,
      correct: final === (await w.app.postView.content(post)) && countsRight(final, slots, clicks) && namesRight(final, slots, clicks, names),
    };
  } finally {
    await w.close();
  }
}

/** The baseline: a bot that edits the message after every click, with @discordjs/rest's own limiter only. */
async function naive(): Promise<Outcome> {
  const { w, messageId, members, slots } = await setUp();
  await w.stopBot();
  const channel = w.emu.fixture.channels.tonight;
  const rest = new REST({ api: w.emu.api, version: '10' }).setToken(w.emu.token);
  const counts = new Map<string, Set<number>>();
  const clicks = plan(slots.map((s) => s.emoji));
  let edits = 0;
  const pending: Promise<unknown>[] = [];
  const text = () => slots.map((s) => `${s.emoji} — ${counts.get(s.emoji)?.size ? `**${counts.get(s.emoji)!.size}**` : '·'}`).join('\n');
  try {
    let i = 0;
    const last = await burst(w, messageId, clicks, members, () => {
      const c = clicks[i++]!;
      counts.set(c.emoji, (counts.get(c.emoji) ?? new Set()).add(c.member));
      edits += 1;
      pending.push(rest.patch(`/channels/${channel}/messages/${messageId}`, { body: { content: text() } }).catch(() => undefined));
    });
    // At Discord's 5 edits per 5 s the naive bot needs ~200 s; give up after a minute.
    const shown = await waitUntil(() => countsRight(w.emu.message(channel, messageId)!.content, slots, clicks), BASELINE_DEADLINE_MS);
    return { settle_ms: shown - last, edits, rate_limited: w.emu.counters.rateLimited, correct: countsRight(w.emu.message(channel, messageId)!.content, slots, clicks) };
  } finally {
    await w.close();
  }
}

export async function run(): Promise<void> {
  progress(`rollcall: ${REACTIONS} reactions from ${MEMBERS} members over ${SPREAD_MS} ms`);
  const ours = await rollcall();
  progress('baseline: a naive bot editing on every reaction');
  const base = await naive();
  printTable(
    [
      { bot: 'rollcall (coalesced)', settle_ms: round(ours.settle_ms, 0), edits: ours.edits, '429s': ours.rate_limited, correct: ours.correct },
      {
        bot: 'naive (edit per click)',
        settle_ms: Number.isNaN(base.settle_ms) ? `> ${BASELINE_DEADLINE_MS}` : round(base.settle_ms, 0),
        edits: base.edits,
        '429s': base.rate_limited,
        correct: base.correct,
      },
    ],
    `reactions: ${REACTIONS} clicks, ${MEMBERS} members, ${SPREAD_MS} ms, emulator with Discord's rate limits (targets: ≤ 1500 ms, ≤ 8 edits, 0 × 429)`,
  );
  printResult({
    bench: 'reactions',
    settle_ms: round(ours.settle_ms, 0),
    edits: ours.edits,
    rate_limited: ours.rate_limited,
    correct: ours.correct,
    baseline_settle_ms: Number.isNaN(base.settle_ms) ? null : round(base.settle_ms, 0),
    baseline_settled_within_ms: BASELINE_DEADLINE_MS,
    baseline_edits: base.edits,
    baseline_rate_limited: base.rate_limited,
    targets_met: ours.settle_ms <= 1500 && ours.edits <= 8 && ours.rate_limited === 0 && ours.correct,
  });
}
