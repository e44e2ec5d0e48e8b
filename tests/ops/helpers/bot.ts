import { spawn, type ChildProcess } from 'node:child_process';
import { botDatabaseEnv } from '../../helpers/engine.js';
import { REPO } from './cli.js';

export interface BotProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export interface BotProcessOptions {
  /** The entry point (default `src/main.ts`, `npm start`; `src/http/main.ts` is `start:http`, `src/gateway/main.ts` `start:gateway`). */
  entry?: string;
  /** When the process is up (default: its `/healthz` answers 200). `start:gateway` serves no HTTP: e.g. its session at the emulator. */
  ready?: (url: string) => Promise<boolean> | boolean;
  /** How long it may take to be ready (default 30 s). */
  timeoutMs?: number;
}

/**
 * A cluster process's environment against the emulator: its Discord settings, one PostgreSQL
 * database, webhook interactions, the clock starting at `clockStart`. `start:http` replicas and
 * `start:gateway` shards (with `SHARD_COUNT`/`SHARD_IDS` added) alike.
 */
export function clusterEnv(emu: { applicationId: string; publicKey: string; token: string; api: string }, databaseUrl: string, clockStart: string): Record<string, string> {
  return {
    DISCORD_APPLICATION_ID: emu.applicationId,
    DISCORD_PUBLIC_KEY: emu.publicKey,
    DISCORD_TOKEN: emu.token,
    DISCORD_API_URL: emu.api,
    DATABASE_URL: databaseUrl,
    INTERACTIONS: 'http',
    LOG_LEVEL: 'warn',
    CLOCK_START: clockStart,
  };
}

const healthy = (url: string) =>
  fetch(`${url}/healthz`).then(
    (r) => r.ok,
    () => false,
  );

/**
 * `npm start` (or another entry) from source (tsx), as its own process, with `env` on top of a clean
 * environment; its `DATABASE_PATH` on the engine of the run (`botDatabaseEnv`).
 */
export async function startBotProcess(env: Record<string, string>, port: number, options: BotProcessOptions = {}): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', options.entry ?? 'src/main.ts'], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...botDatabaseEnv(env), HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the bot exited with ${child.exitCode}:\n${output}`);
    if (await (options.ready ?? healthy)(url)) break;
    if (Date.now() > deadline) {
      // Nobody gets a handle to stop it: it would outlive the test (and its worker) on its own.
      child.kill('SIGKILL');
      throw new Error(`the bot did not come up in ${timeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
