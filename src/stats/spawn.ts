import { fork, type ChildProcess } from 'node:child_process';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { compiledFile } from '../shared/compiled-file.js';

/**
 * A worker's young generation, like the main process's `--max-semi-space-size` (package.json's
 * start): V8 would otherwise grow each isolate's nursery to tens of MB that stay resident between
 * charts. Scavenges get more frequent, each one cheaper; a chart costs about the same.
 */
export const WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 6 };

const fromSource = import.meta.url.endsWith('.ts');

/**
 * Starts one of the stats worker entries as a thread, from wherever this module runs: compiled
 * `dist/` loads the `.js` (found by {@link compiledFile}, as this module may be bundled); TypeScript sources (tsx, vitest) go through `worker-boot.mjs`, which
 * registers tsx inside the worker first (a worker does not inherit the parent's loader hooks).
 */
export function spawnStatsWorker(entry: 'render-worker' | 'draw-worker'): Worker {
  if (!fromSource) return new Worker(compiledFile(import.meta.url, `stats/${entry}.js`), { resourceLimits: WORKER_LIMITS });
  return new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { entry: new URL(`./${entry}.ts`, import.meta.url).href }, resourceLimits: WORKER_LIMITS });
}

/** What the chart pool needs of its worker, whether a thread or a process. */
export interface StatsWorker {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: any) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'exit', listener: (code: number | null) => void): this;
  ref(): void;
  unref(): void;
  terminate(): Promise<unknown>;
}

/**
 * The render worker as a child process (IPC with structured clone). A thread's memory stays with
 * the bot after the thread ends — glibc keeps the arenas Vega, resvg and two V8 heaps grew, some
 * 60 MB on a 10 000-member guild — while a process hands everything back to the system when it
 * exits at idle. It gets no Discord secret: it only reads the SQLite file.
 */
export function spawnStatsProcess(entry: 'render-worker'): StatsWorker {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('DISCORD_')));
  const options = { env, serialization: 'advanced' as const, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] as ('ignore' | 'inherit' | 'ipc')[] };
  const execArgv = ['--max-semi-space-size=2'];
  const child = fromSource
    ? fork(new URL('./worker-boot.mjs', import.meta.url), [new URL(`./${entry}.ts`, import.meta.url).href], { ...options, execArgv })
    : fork(compiledFile(import.meta.url, `stats/${entry}.js`), [], { ...options, execArgv });
  return new ChildWorker(child);
}

class ChildWorker implements StatsWorker {
  readonly #exited: Promise<void>;

  constructor(private readonly child: ChildProcess) {
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  postMessage(message: unknown): void {
    if (this.child.connected) this.child.send(message as never);
  }

  on(event: 'message' | 'error' | 'exit', listener: (arg: any) => void): this {
    this.child.on(event, listener);
    return this;
  }

  ref(): void {
    this.child.ref();
    this.child.channel?.ref();
  }

  unref(): void {
    this.child.unref();
    this.child.channel?.unref();
  }

  async terminate(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      // An idle worker is unref'd; whoever awaits its end must be kept alive until it comes.
      this.child.ref();
      this.child.kill('SIGTERM');
      await this.#exited;
    }
  }
}
