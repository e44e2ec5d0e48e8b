/**
 * `npm run bench -- memory [--members 10000] [--channels 500] [--voice 200] [--guilds 1]
 *   [--evening 200] [--interactions 5000] [--starts 5] [--settle 5]`
 *
 * What rollcall costs a small machine on a big guild, against the field's default, in one run on
 * one emulated world (`EmulatorOptions.scale`: N members, N channels, N of them in voice):
 * - rollcall as `npm start` runs it (`node dist/src/main.js`, env pointed at the emulator): idle
 *   after READY and GUILD_CREATE; after one evening (`--evening` members react on today's message,
 *   join voice and leave it, then one `/stats` chart); after `--interactions` mixed signed
 *   interactions sent by the emulator as Discord sends them. RSS from /proc, V8 heap used and
 *   external from its `/metrics` (loopback only, prom-client's default metrics).
 * - a discord.js `Client` with the same three intents and default caches (bench/servers/
 *   discordjs-client.js), connected at the same time, so it sees the same reactions and voice events.
 * - Node's own baseline: an empty script that stays alive.
 * - start-up: process start → `/readyz` answers 200 (HTTP listening, gateway READY received), the
 *   median of `--starts` starts on an already migrated database.
 * Every figure is sampled `--settle` seconds after its phase, when the process has gone quiet; the
 * evening's once more after the render worker's idle stop (RENDER_WORKER_IDLE_MS), when it is over.
 * Start-up also reports the CPU time the process used until ready, which a busy machine moves less.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import { commands } from '../src/interactions/commands/index.js';
import { startEmulator, type Emulator, type GuildScale } from '../src/sandbox/index.js';
import { RENDER_WORKER_IDLE_MS } from '../src/stats/worker-pool.js';
import { ensureBuilt, ROOT } from './lib/build.js';
import { cpuSeconds, freePort } from './lib/child.js';
import { printResult, printTable, progress } from './lib/report.js';
import { percentile, round } from './lib/stats.js';

const TARGETS = { vsDiscordJs: 0.5, idleRssMb: 80, startupMs: 1500 } as const;
const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Options {
  scale: Required<GuildScale>;
  evening: number;
  interactions: number;
  starts: number;
  settleMs: number;
}

function parse(args: string[]): Options {
  const num = (name: string, fallback: number, min: number, max: number): number => {
    const i = args.indexOf(`--${name}`);
    if (i === -1) return fallback;
    const value = Number(args[i + 1]);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max} (got ${args[i + 1]})`);
    return value;
  };
  const members = num('members', 10_000, 500, 250_000);
  const voice = num('voice', 200, 0, 5_000);
  return {
    scale: { members, channels: num('channels', 500, 10, 500), voice, guilds: num('guilds', 1, 1, 50) },
    evening: num('evening', 200, 1, Math.min(2_000, members - voice - 100)),
    interactions: num('interactions', 5_000, 0, 100_000),
    starts: num('starts', 5, 1, 20),
    settleMs: num('settle', 5, 1, 120) * 1000,
  };
}

/** Resident set size of a process, from /proc (the same reading for every contender). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return (kb * 1024) / MiB;
}

/** Process ids of a process's children (the render worker, while it runs), from /proc. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** RSS of a process's descendants (gone ones count 0). */
function descendantsRssMb(pid: number): number {
  return childrenOf(pid).reduce((sum, child) => {
    let own = 0;
    try {
      own = rssMb(child);
    } catch {
      // exited meanwhile
    }
    return sum + own + descendantsRssMb(child);
  }, 0);
}

interface Sample {
  /** The process and, for rollcall, its render worker process while one runs. */
  rss: number;
  /** Of `rss`, the render worker process. */
  worker?: number;
  heap: number | null;
  external: number | null;
}

interface Child {
  child: ChildProcess;
  pid: number;
  output: () => string;
  stop(): Promise<void>;
}

function launch(args: string[], env: Record<string, string>, ipc = false): Child {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    // Only what it needs: no inherited NODE_OPTIONS (tsx's loader) in the measured process.
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr?.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    pid: child.pid!,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ── rollcall ────────────────────────────────────────────────────────────────

interface Rollcall extends Child {
  url: string;
}

function rollcallEnv(emu: Emulator, dbPath: string, port: number): Record<string, string> {
  return {
    DISCORD_APPLICATION_ID: emu.applicationId,
    DISCORD_PUBLIC_KEY: emu.publicKey,
    DISCORD_TOKEN: emu.token,
    DISCORD_API_URL: emu.api,
    DATABASE_PATH: dbPath,
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    LOG_LEVEL: 'warn',
  };
}

/** What `npm start` runs after `node` (package.json's `start` script: V8 flags, then the entry). */
function startArgs(): string[] {
  const script = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [node, ...args] = script.trim().split(/\s+/);
  if (node !== 'node' || !args.at(-1)?.endsWith('.js')) throw new Error(`package.json's start script is not "node [flags] <entry>.js": ${script}`);
  return args;
}

/** Starts rollcall as `npm start` does; resolves with the milliseconds from spawn to `/readyz` answering 200. */
async function startRollcall(emu: Emulator, dbPath: string): Promise<{ bot: Rollcall; readyMs: number; readyCpuMs: number }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  emu.setInteractionsUrl(`${url}/interactions`);
  const started = performance.now();
  const bot = { ...launch(startArgs(), rollcallEnv(emu, dbPath, port)), url };
  const deadline = started + 30_000;
  for (;;) {
    if (bot.child.exitCode !== null) throw new Error(`rollcall exited with ${bot.child.exitCode}:\n${bot.output()}`);
    const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return { bot, readyMs: performance.now() - started, readyCpuMs: (cpuSeconds(bot.pid) ?? Number.NaN) * 1000 };
    if (performance.now() > deadline) {
      await bot.stop();
      throw new Error(`rollcall was not ready within 30 s:\n${bot.output()}`);
    }
    await sleep(5);
  }
}

async function sampleRollcall(bot: Rollcall): Promise<Sample> {
  const text = await (await fetch(`${bot.url}/metrics`)).text();
  const metric = (name: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return line ? Number(line.split(' ')[1]) / MiB : null;
  };
  // RSS read after the scrape, from /proc like the others; the render worker process counts too.
  const worker = descendantsRssMb(bot.pid);
  return { rss: rssMb(bot.pid) + worker, worker, heap: metric('nodejs_heap_size_used_bytes'), external: metric('nodejs_external_memory_bytes') };
}

// ── discord.js ──────────────────────────────────────────────────────────────

interface DiscordJs extends Child {
  startupMs: number;
  sample(): Promise<Sample & { caches: Record<string, number>; seen: Record<string, number> }>;
}

async function startDiscordJs(emu: Emulator): Promise<DiscordJs> {
  const c = launch([join(ROOT, 'bench/servers/discordjs-client.js')], { API: emu.api, DISCORD_TOKEN: emu.token }, true);
  const ready = await new Promise<{ startupMs: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`discord.js was not ready within 60 s:\n${c.output()}`)), 60_000);
    c.child.on('message', (m: any) => {
      if (m?.ready) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    c.child.once('exit', (code) => reject(new Error(`discord.js exited with ${code}:\n${c.output()}`)));
  });
  return {
    ...c,
    startupMs: ready.startupMs,
    sample: () =>
      new Promise((resolve) => {
        const onMessage = (m: any) => {
          if (!m?.memory) return;
          c.child.off('message', onMessage);
          resolve({ rss: rssMb(c.pid), heap: m.memory.heapUsed / MiB, external: m.memory.external / MiB, caches: m.caches, seen: m.seen });
        };
        c.child.on('message', onMessage);
        c.child.send('memory');
      }),
  };
}

// ── the world's actions ─────────────────────────────────────────────────────

async function registerCommands(emu: Emulator): Promise<void> {
  const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
  await rest.put(Routes.applicationGuildCommands(emu.applicationId, emu.fixture.guildId), { body: commands.map((c) => c.definition) });
}

/** Today's message as the bot posted it in #tonight, and its hour emoji. */
function todaysMessage(emu: Emulator): { id: string; slots: string[] } {
  const mine = emu.messages(emu.fixture.channels.tonight).filter((m) => m.author.id === emu.applicationId && (m.reactions?.length ?? 0) > 0);
  const message = mine.at(-1);
  if (!message) throw new Error("no daily message with its hour reactions in #tonight: rollcall did not post today's message");
  return { id: message.id, slots: message.reactions!.map((r) => (r.emoji.id ? `${r.emoji.name}:${r.emoji.id}` : r.emoji.name!)) };
}

/** At most `width` of `tasks` at a time. */
async function pool<T>(count: number, width: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

/**
 * One evening: `n` members (after those already in voice) sign up on today's message (one or two
 * hours each), join voice spread over the voice channels, and leave again; then an admin draws one chart.
 */
async function evening(emu: Emulator, n: number, voiceAlready: number): Promise<{ reactions: number; chartMs: number }> {
  const layout = emu.scaledGuilds[0]!;
  const tonight = emu.fixture.channels.tonight;
  const { id, slots } = todaysMessage(emu);
  const members = Array.from({ length: n }, (_, i) => layout.memberId(voiceAlready + i));
  let reactions = 0;
  for (let i = 0; i < n; i++) {
    await emu.react(members[i]!, tonight, id, slots[i % slots.length]!);
    reactions++;
    if (i % 2 === 0) {
      await emu.react(members[i]!, tonight, id, slots[(i + 1) % slots.length]!);
      reactions++;
    }
    if (i % 20 === 19) await sleep(50);
  }
  const voiceChannels = layout.voiceChannelIds;
  for (let i = 0; i < n; i++) {
    await emu.joinVoice(members[i]!, voiceChannels[i % voiceChannels.length]!);
    if (i % 20 === 19) await sleep(50);
  }
  await sleep(2_000);
  for (let i = 0; i < n; i++) {
    await emu.leaveVoice(members[i]!, layout.id);
    if (i % 20 === 19) await sleep(50);
  }
  await sleep(1_000);
  const t0 = performance.now();
  const chart = await (await emu.runCommand(emu.fixture.members.alice.id, 'stats', [{ name: 'total', options: [] } as never])).final(120_000);
  if (!chart.files.some((f) => f.content_type === 'image/png')) throw new Error(`/stats total drew no chart: ${chart.content}`);
  return { reactions, chartMs: performance.now() - t0 };
}

/**
 * `count` interactions as Discord sends them (signed by the emulator), 16 at a time, cycling
 * through what members do most: their schedule, their privacy page, their zone, an admin's
 * settings, zone autocomplete — each from another member, so the member cache meets thousands.
 */
async function interactions(emu: Emulator, count: number, offset: number): Promise<{ ok: number; failed: number; seconds: number }> {
  const layout = emu.scaledGuilds[0]!;
  const alice = emu.fixture.members.alice.id;
  const kinds = [
    (u: string) => emu.runCommand(u, 'schedule', [{ name: 'show', options: [] } as never]),
    (u: string) => emu.runCommand(u, 'privacy', [{ name: 'show', options: [] } as never]),
    (u: string) => emu.runCommand(u, 'timezone', [{ name: 'show', options: [] } as never]),
    (u: string) => emu.runCommand(u, 'schedule', [{ name: 'set', options: [] } as never]),
    () => emu.runCommand(alice, 'config', [{ name: 'show', options: [] } as never]),
  ];
  let ok = 0;
  let failed = 0;
  const firstError: string[] = [];
  const t0 = performance.now();
  await pool(count, 16, async (i) => {
    const member = layout.memberId(offset + (i % Math.max(1, layout.generatedMembers - offset)));
    const result = await kinds[i % kinds.length]!(member).catch((e: Error) => ({ status: 0, error: e.message }));
    if (result.status === 200 && !result.error) ok++;
    else {
      failed++;
      if (firstError.length < 3) firstError.push(`${result.status} ${result.error}`);
    }
  });
  if (failed > 0) progress(`interactions: ${failed} failed, e.g. ${firstError.join('; ')}`);
  return { ok, failed, seconds: (performance.now() - t0) / 1000 };
}

async function nodeBaseline(): Promise<number> {
  const c = launch(['-e', 'setInterval(() => {}, 1 << 30)'], {});
  await sleep(1_500);
  const rss = rssMb(c.pid);
  await c.stop();
  return rss;
}

// ── the run ─────────────────────────────────────────────────────────────────

export async function run(args: string[]): Promise<void> {
  const o = parse(args);
  const loadStart = loadavg()[0]!;
  ensureBuilt(['dist/src/main.js']);
  const tmp = mkdtempSync(join(tmpdir(), 'rollcall-bench-memory-'));
  const dbPath = join(tmp, 'rollcall.sqlite');
  const running: Child[] = [];
  progress(`emulator: ${o.scale.guilds} guild(s) × ${o.scale.members} members, ${o.scale.channels} channels, ${o.scale.voice} in voice`);
  const emu = await startEmulator({ scale: o.scale });
  try {
    const node = await nodeBaseline();
    progress(`node baseline: ${round(node)} MiB`);
    await registerCommands(emu);

    // Set-up: one start configures #tonight, which posts today's message with its hour reactions.
    progress('rollcall: set-up start (migrations, /config channel #tonight)');
    {
      const { bot } = await startRollcall(emu, dbPath);
      running.push(bot);
      const alice = emu.fixture.members.alice.id;
      await (await emu.runCommand(alice, 'config', [{ name: 'channel', options: [{ name: 'channel', value: emu.fixture.channels.tonight }] } as never])).final(30_000);
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && emu.messages(emu.fixture.channels.tonight).every((m) => !(m.author.id === emu.applicationId && m.reactions?.length))) await sleep(100);
      todaysMessage(emu);
      await bot.stop();
    }

    const startups: number[] = [];
    const startupsCpu: number[] = [];
    for (let i = 0; i < o.starts; i++) {
      const { bot, readyMs, readyCpuMs } = await startRollcall(emu, dbPath);
      running.push(bot);
      startups.push(readyMs);
      startupsCpu.push(readyCpuMs);
      progress(`rollcall: start ${i + 1}/${o.starts} ready in ${Math.round(readyMs)} ms (${Math.round(readyCpuMs)} ms CPU)`);
      await bot.stop();
    }

    progress('rollcall and discord.js: connecting');
    const { bot } = await startRollcall(emu, dbPath);
    running.push(bot);
    const djs = await startDiscordJs(emu);
    running.push(djs);
    progress(`idle: settling ${o.settleMs / 1000} s`);
    await sleep(o.settleMs);
    const idle = { rollcall: await sampleRollcall(bot), discordjs: await djs.sample() };

    progress(`evening: ${o.evening} members react, join and leave voice; one /stats chart`);
    const day = await evening(emu, o.evening, o.scale.voice);
    await sleep(o.settleMs);
    const atChart = await sampleRollcall(bot);
    // The evening is over once the render worker has gone idle and stopped, as it does after a chart.
    const rest = Math.max(0, RENDER_WORKER_IDLE_MS + 5_000 - o.settleMs);
    progress(`evening: waiting ${rest / 1000} s more for the render worker to stop (idle ${RENDER_WORKER_IDLE_MS / 1000} s)`);
    await sleep(rest);
    const afterEvening = { rollcall: await sampleRollcall(bot), discordjs: await djs.sample() };

    progress(`${o.interactions} mixed interactions`);
    const mixed = await interactions(emu, o.interactions, o.scale.voice + o.evening);
    await sleep(o.settleMs);
    const afterInteractions = await sampleRollcall(bot);

    await Promise.all([bot.stop(), djs.stop()]);
    report(o, { node, startups, startupsCpu, idle, atChart, afterEvening, afterInteractions, day, mixed, djsStartupMs: djs.startupMs, loadStart });
  } finally {
    await Promise.all(running.map((c) => c.stop()));
    await emu.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

function report(
  o: Options,
  r: {
    node: number;
    startups: number[];
    startupsCpu: number[];
    atChart: Sample;
    idle: { rollcall: Sample; discordjs: Sample & { caches: Record<string, number> } };
    afterEvening: { rollcall: Sample; discordjs: Sample & { caches: Record<string, number>; seen: Record<string, number> } };
    afterInteractions: Sample;
    day: { reactions: number; chartMs: number };
    mixed: { ok: number; failed: number; seconds: number };
    djsStartupMs: number;
    loadStart: number;
  },
): void {
  const mb = (v: number | null) => (v === null ? null : round(v, 1));
  const above = (v: number) => round(v - r.node, 1);
  const row = (who: string, when: string, s: Sample) => ({
    process: who,
    when,
    'RSS MiB': mb(s.rss),
    'above Node MiB': above(s.rss),
    'of which render worker': s.worker === undefined ? null : mb(s.worker),
    'heap used MiB': mb(s.heap),
    'external MiB': mb(s.external),
  });
  printTable(
    [
      { process: 'node (empty script)', when: 'idle', 'RSS MiB': mb(r.node), 'above Node MiB': 0, 'of which render worker': null, 'heap used MiB': null, 'external MiB': null },
      row('rollcall (dist)', 'idle after READY + GUILD_CREATE', r.idle.rollcall),
      row('rollcall (dist)', `${o.settleMs / 1000} s after the /stats chart`, r.atChart),
      row('rollcall (dist)', `after the evening (worker stopped)`, r.afterEvening.rollcall),
      row('rollcall (dist)', `after ${o.interactions} interactions`, r.afterInteractions),
      row('discord.js Client', 'idle after ready', r.idle.discordjs),
      row('discord.js Client', 'after the evening', r.afterEvening.discordjs),
    ],
    `memory: ${o.scale.guilds} guild(s) × ${o.scale.members} members, ${o.scale.channels} channels, ${o.scale.voice} in voice; ` +
      `evening: ${o.evening} members, ${r.day.reactions} reactions, voice join + leave, /stats total (${Math.round(r.day.chartMs)} ms); ` +
      `${r.mixed.ok} interactions answered in ${round(r.mixed.seconds, 1)} s (${r.mixed.failed} failed). Sampled ${o.settleMs / 1000} s after each phase; MiB = 2^20 bytes.`,
  );
  const c = r.afterEvening.discordjs.caches;
  console.log(
    `discord.js caches after the evening: ${Object.entries(c)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}`,
  );

  const startup = percentile(r.startups, 50);
  const ratioIdle = (r.idle.rollcall.rss - r.node) / (r.idle.discordjs.rss - r.node);
  const ratioEvening = (r.afterEvening.rollcall.rss - r.node) / (r.afterEvening.discordjs.rss - r.node);
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  printTable(
    [
      { target: `above Node ≤ ${TARGETS.vsDiscordJs}× discord.js, idle`, measured: `${round(ratioIdle)}×`, result: verdict(ratioIdle <= TARGETS.vsDiscordJs) },
      { target: `above Node ≤ ${TARGETS.vsDiscordJs}× discord.js, after the evening`, measured: `${round(ratioEvening)}×`, result: verdict(ratioEvening <= TARGETS.vsDiscordJs) },
      { target: `rollcall RSS idle ≤ ${TARGETS.idleRssMb} MiB`, measured: `${round(r.idle.rollcall.rss, 1)} MiB`, result: verdict(r.idle.rollcall.rss <= TARGETS.idleRssMb) },
      {
        target: `start-up to ready ≤ ${TARGETS.startupMs} ms (median of ${r.startups.length})`,
        measured: `${Math.round(startup)} ms (${r.startups.map((s) => Math.round(s)).join(', ')}); CPU ${Math.round(percentile(r.startupsCpu, 50))} ms`,
        result: verdict(startup <= TARGETS.startupMs),
      },
    ],
    `Targets (discord.js start-up to ready: ${r.djsStartupMs} ms; load average ${r.loadStart.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores; Node ${process.version})`,
  );
  console.log('');
  printResult({
    bench: 'memory',
    members: o.scale.members,
    guilds: o.scale.guilds,
    channels: o.scale.channels,
    voice: o.scale.voice,
    rss_mb: mb(r.idle.rollcall.rss),
    heap_mb: mb(r.idle.rollcall.heap),
    external_mb: mb(r.idle.rollcall.external),
    rss_at_chart_mb: mb(r.atChart.rss),
    render_worker_at_chart_mb: mb(r.atChart.worker ?? 0),
    rss_after_evening_mb: mb(r.afterEvening.rollcall.rss),
    heap_after_evening_mb: mb(r.afterEvening.rollcall.heap),
    rss_after_interactions_mb: mb(r.afterInteractions.rss),
    heap_after_interactions_mb: mb(r.afterInteractions.heap),
    discordjs_rss_mb: mb(r.idle.discordjs.rss),
    discordjs_heap_mb: mb(r.idle.discordjs.heap),
    discordjs_rss_after_evening_mb: mb(r.afterEvening.discordjs.rss),
    node_baseline_mb: mb(r.node),
    ratio_above_node_idle: round(ratioIdle),
    ratio_above_node_after_evening: round(ratioEvening),
    startup_ms: Math.round(startup),
    startup_runs_ms: r.startups.map((s) => Math.round(s)),
    startup_cpu_ms: Math.round(percentile(r.startupsCpu, 50)),
    discordjs_startup_ms: r.djsStartupMs,
    interactions_ok: r.mixed.ok,
    interactions_failed: r.mixed.failed,
    targets_met: ratioIdle <= TARGETS.vsDiscordJs && ratioEvening <= TARGETS.vsDiscordJs && r.idle.rollcall.rss <= TARGETS.idleRssMb && startup <= TARGETS.startupMs,
    node: process.version,
  });
}
