import type { ChartRequest, ChartResult } from './catalog.js';
import type { ChartProgress } from './produce.js';
import { spawnStatsProcess, type StatsWorker } from './spawn.js';
import type { WorkerJob, WorkerReply } from './worker-protocol.js';

interface Pending {
  results: ChartResult[];
  onResult: ChartProgress;
  resolve: (results: ChartResult[]) => void;
  reject: (error: Error) => void;
}

/**
 * How long the render worker (and the draw worker it owns) outlive their last chart. A member going
 * through `/stats` asks the next chart within seconds and finds the worker warm; past this, the worker
 * process, its draw thread, Vega and resvg (some 80 MB resident) go away until the next `/stats`.
 */
export const RENDER_WORKER_IDLE_MS = 30_000;

/**
 * One render worker (a child process, see spawnStatsProcess), started on first use and stopped
 * after `idleMs` without work. It does not keep the bot alive while idle. Jobs run one after
 * another in the worker.
 */
export class ChartWorker {
  private worker: StatsWorker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: { idleMs?: number } = {}) {}

  /** Draws `requests` from the SQLite file at `databasePath`; `onResult` fires per chart as it lands. */
  run(databasePath: string, requests: readonly ChartRequest[], onResult: Pending['onResult'] = () => {}): Promise<ChartResult[]> {
    return this.post({ id: this.nextId++, kind: 'charts', databasePath, requests: [...requests] }, onResult);
  }

  /** Starts the worker and loads Vega, resvg and the font, so the first real chart is not slower. */
  warmUp(): Promise<void> {
    return this.post({ id: this.nextId++, kind: 'warm-up' }, () => {}).then(() => undefined);
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private post(job: WorkerJob, onResult: Pending['onResult']): Promise<ChartResult[]> {
    clearTimeout(this.idleTimer);
    const worker = this.ensure();
    worker.ref();
    return new Promise<ChartResult[]>((resolve, reject) => {
      this.pending.set(job.id, { results: [], onResult, resolve, reject });
      worker.postMessage(job);
    });
  }

  private ensure(): StatsWorker {
    if (this.worker) return this.worker;
    const worker = spawnStatsProcess('render-worker');
    worker.on('message', (reply: WorkerReply) => this.receive(reply));
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      if (this.pending.size > 0) this.failAll(new Error(`render worker exited with code ${code}`));
    });
    this.worker = worker;
    return worker;
  }

  private receive(reply: WorkerReply): void {
    const job = this.pending.get(reply.id);
    if (!job) return;
    if (reply.kind === 'result') {
      job.results[reply.index] = reply.result;
      job.onResult(reply.index, reply.result, reply.ms, reply.cpuMs);
      return;
    }
    this.pending.delete(reply.id);
    if (reply.kind === 'done') job.resolve(job.results);
    else job.reject(new Error(`render worker: ${reply.message}`));
    this.settleIdle();
  }

  private failAll(error: Error): void {
    for (const job of this.pending.values()) job.reject(error);
    this.pending.clear();
    this.settleIdle();
  }

  private settleIdle(): void {
    if (this.pending.size > 0 || !this.worker) return;
    this.worker.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.close(), this.options.idleMs ?? RENDER_WORKER_IDLE_MS);
    this.idleTimer.unref();
  }
}
