/**
 * `npm run bench -- startup [--rounds 5] [--settle 5] [--members 10000] [--variant "<node args…> <entry.js>"]…`
 *
 * Idle memory and start-up of built rollcall variants side by side, interleaved round by round in
 * one run on one emulated big guild, so a shared machine's load hits each alike. A variant is what
 * follows `node` (V8 flags, then the entry); the default is package.json's `start` line. Comparing
 * two builds: the entry of another checkout's build (an absolute path) as a second `--variant`.
 * Each start: spawn → `/readyz` 200 (ready ms, and the CPU the process used until then), then
 * `--settle` s idle → RSS from /proc, heap used and external from `/metrics`. The memory bench
 * (`memory.ts`) measures the whole evening; this one only the start and idle, quickly.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../src/sandbox/index.js';
import { ensureBuilt, ROOT } from './lib/build.js';
import { cpuSeconds, freePort } from './lib/child.js';
import { printResult, printTable, progress } from './lib/report.js';
import { percentile, round } from './lib/stats.js';

const MiB = 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Figures {
  rss: number;
  heap: number;
  external: number;
  readyMs: number;
  cpuMs: number;
}

function values(args: string[], name: string): string[] {
  return args.flatMap((a, i) => (args[i - 1] === `--${name}` ? [a] : []));
}

function count(args: string[], name: string, fallback: number, min: number, max: number): number {
  const raw = values(args, name).at(-1);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be a whole number from ${min} to ${max} (got ${raw})`);
  return value;
}

/**
 * {@link startOnce}, again on another port when another process on the (shared) machine took the
 * free port between asking the kernel for it and the server listening (exit 78 naming HTTP_PORT).
 */
async function once(args: string[], env: Record<string, string>, settleMs: number): Promise<Figures> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(args, env, settleMs);
    } catch (error) {
      if (attempt >= 3 || !/HTTP_PORT \(\d+\) is already in use/.test((error as Error).message)) throw error;
      progress(`port taken by another process meanwhile; starting again on another (attempt ${attempt + 1})`);
    }
  }
}

/** One start of `args` (after `node`) on `env`, measured until idle, then stopped. */
async function startOnce(args: string[], env: Record<string, string>, settleMs: number): Promise<Figures> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env, HTTP_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-10_000)));
  child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-10_000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    let readyMs = 0;
    let cpuMs = 0;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`node ${args.join(' ')} exited with ${child.exitCode}:\n${output}`);
      const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) {
        readyMs = performance.now() - started;
        cpuMs = (cpuSeconds(child.pid!) ?? Number.NaN) * 1000;
        break;
      }
      if (performance.now() - started > 30_000) throw new Error(`node ${args.join(' ')} was not ready within 30 s:\n${output}`);
      await sleep(5);
    }
    await sleep(settleMs);
    const text = await (await fetch(`${url}/metrics`)).text();
    const metric = (name: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${name} `))
          ?.split(' ')[1],
      ) / MiB;
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024;
    return { rss, heap: metric('nodejs_heap_size_used_bytes'), external: metric('nodejs_external_memory_bytes'), readyMs, cpuMs };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

export async function run(args: string[]): Promise<void> {
  const rounds = count(args, 'rounds', 5, 1, 20);
  const settleMs = count(args, 'settle', 5, 1, 60) * 1000;
  const members = count(args, 'members', 10_000, 500, 250_000);
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.replace(/^node\s+/, '');
  const variants = (values(args, 'variant').length > 0 ? values(args, 'variant') : [start]).map((v) => v.trim().split(/\s+/));
  ensureBuilt(['dist/src/main.js']);
  const emu = await startEmulator({ scale: { members, channels: 500, voice: 200, guilds: 1 } });
  const tmp = mkdtempSync(join(tmpdir(), 'rollcall-bench-startup-'));
  const env = {
    DISCORD_APPLICATION_ID: emu.applicationId,
    DISCORD_PUBLIC_KEY: emu.publicKey,
    DISCORD_TOKEN: emu.token,
    DISCORD_API_URL: emu.api,
    DATABASE_PATH: join(tmp, 'rollcall.sqlite'),
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  try {
    progress('first start: migrations');
    await once(variants[0]!, env, 100);
    const results = variants.map(() => [] as Figures[]);
    for (let r = 0; r < rounds; r++) {
      for (const [i, v] of variants.entries()) {
        const f = await once(v, env, settleMs);
        results[i]!.push(f);
        progress(`round ${r + 1}/${rounds}: ${v.join(' ')}: ${round(f.rss, 1)} MiB, ready in ${Math.round(f.readyMs)} ms (${Math.round(f.cpuMs)} ms CPU)`);
      }
    }
    const median = (fs: Figures[], key: keyof Figures) =>
      percentile(
        fs.map((f) => f[key]),
        50,
      );
    const rows = variants.map((v, i) => ({
      variant: v.join(' '),
      'RSS MiB (median)': round(median(results[i]!, 'rss'), 1),
      'RSS MiB (all)': results[i]!.map((f) => round(f.rss, 1)).join(' '),
      'heap used MiB': round(median(results[i]!, 'heap'), 1),
      'external MiB': round(median(results[i]!, 'external'), 1),
      'ready ms': Math.round(median(results[i]!, 'readyMs')),
      'CPU ms to ready': Math.round(median(results[i]!, 'cpuMs')),
    }));
    printTable(rows);
    printResult({ bench: 'startup', members, rounds, variants: rows });
  } finally {
    await emu.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
