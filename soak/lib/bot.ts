import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Emulator } from '../../src/sandbox/index.js';
import { ROOT } from '../../bench/lib/build.js';
import { freePort } from '../../bench/lib/child.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The built bot as `npm start` runs it (`node dist/src/main.js`), as a child process. */
export interface BotProcess {
  url: string;
  port: number;
  pid: number;
  child: ChildProcess;
  /** The last lines it printed (stdout and stderr). */
  output(): string;
  /** Lines printed so far that match. */
  lines(match: RegExp): string[];
  exited(): boolean;
  /** Resident set size in MiB, from /proc (NaN once it has exited). */
  rssMiB(): number;
  /** SIGKILL: no shutdown hook runs, like a power cut. */
  kill9(): Promise<void>;
  /** SIGTERM and wait (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

export interface BotOptions {
  emu: Emulator;
  databasePath: string;
  port?: number;
  logLevel?: string;
  extraEnv?: Record<string, string>;
  nodeArgs?: string[];
  /** Wait for `/readyz` (gateway READY) instead of `/healthz` only. */
  waitReady?: boolean;
  timeoutMs?: number;
  /** Called with the child right after it is spawned (to kill it while it starts). */
  onSpawn?: (child: ChildProcess) => void;
}

/** Starts the built bot against the emulator and waits until it answers. */
export async function startBot(o: BotOptions): Promise<BotProcess> {
  const port = o.port ?? (await freePort());
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DISCORD_APPLICATION_ID: o.emu.applicationId,
      DISCORD_PUBLIC_KEY: o.emu.publicKey,
      DISCORD_TOKEN: o.emu.token,
      DISCORD_API_URL: o.emu.api,
      DATABASE_PATH: o.databasePath,
      LOG_LEVEL: o.logLevel ?? process.env.SOAK_LOG_LEVEL ?? 'warn',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      ...o.extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  o.onSpawn?.(child);
  // Keep a bounded tail: hostile input makes the bot log one line per refused request.
  const tail: string[] = [];
  const seen: string[] = [];
  const take = (c: Buffer) => {
    for (const line of c.toString().split('\n')) {
      if (!line) continue;
      tail.push(line);
      if (tail.length > 400) tail.shift();
      if (!/interaction refused/.test(line)) {
        seen.push(line);
        if (seen.length > 5000) seen.shift();
      }
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const bot: BotProcess = {
    url,
    port,
    pid: child.pid!,
    child,
    output: () => tail.join('\n'),
    lines: (match) => seen.filter((l) => match.test(l)),
    exited: () => child.exitCode !== null || child.signalCode !== null,
    rssMiB() {
      const file = `/proc/${child.pid}/status`;
      if (bot.exited() || !existsSync(file)) return Number.NaN;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(file, 'utf8'));
      return m ? Number(m[1]) / 1024 : Number.NaN;
    },
    async kill9() {
      if (bot.exited()) return;
      child.kill('SIGKILL');
      await exit;
    },
    async stop(graceMs = 20_000) {
      if (bot.exited()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
  o.emu.setInteractionsUrl(`${url}/interactions`);
  const path = o.waitReady ? '/readyz' : '/healthz';
  const deadline = Date.now() + (o.timeoutMs ?? 30_000);
  for (;;) {
    if (bot.exited()) throw new Error(`the bot exited (${child.exitCode ?? child.signalCode}):\n${bot.output()}`);
    const ok = await fetch(url + path, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return bot;
    if (Date.now() > deadline) {
      await bot.kill9();
      throw new Error(`the bot did not answer ${path} in time:\n${bot.output()}`);
    }
    await sleep(25);
  }
}
