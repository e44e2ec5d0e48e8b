import type { Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import type { ChartProgress, ChartRequest } from './catalog.js';
import type { Rendered } from './render.js';
import { spawnStatsWorker } from './spawn.js';
import type { DrawJob, DrawReply } from './worker-protocol.js';

/** How a spec becomes a picture: on this thread ({@link renderSpec}) or in a {@link Drawer}. */
export type Draw = (spec: TopLevelSpec) => Promise<Rendered & { cpuMs?: number }>;

interface Pending {
  drawn?: (r: Rendered & { cpuMs?: number }) => void;
  onResult?: ChartProgress;
  done?: () => void;
  reject: (e: Error) => void;
}

/**
 * A draw worker owned by the render worker: drawing overlaps the next chart's aggregation, and
 * charts that need none of the shared data are aggregated and drawn there whole ({@link charts}).
 */
export class Drawer {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  readonly draw: Draw = (spec) => new Promise((resolve, reject) => this.post({ id: this.nextId++, kind: 'draw', spec }, { drawn: resolve, reject }));

  /** Aggregates and draws `requests` in the draw worker from the file at `databasePath`; `onResult` per chart. */
  charts(databasePath: string, requests: readonly ChartRequest[], onResult: ChartProgress): Promise<void> {
    if (requests.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => this.post({ id: this.nextId++, kind: 'charts', databasePath, requests: [...requests] }, { onResult, done: resolve, reject }));
  }

  private post(job: DrawJob, pending: Pending): void {
    this.pending.set(job.id, pending);
    this.ensure().postMessage(job);
  }

  private receive(reply: DrawReply): void {
    const job = this.pending.get(reply.id);
    if (!job) return;
    if (reply.kind === 'result') {
      job.onResult?.(reply.index, reply.result, reply.ms, reply.cpuMs);
      return;
    }
    this.pending.delete(reply.id);
    if (reply.kind === 'drawn') {
      const { id: _id, kind: _kind, ...rendered } = reply;
      job.drawn?.(rendered);
    } else if (reply.kind === 'done') job.done?.();
    else job.reject(new Error(`draw worker: ${reply.message}`));
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnStatsWorker('draw-worker');
    worker.on('message', (reply: DrawReply) => this.receive(reply));
    const fail = (error: Error) => {
      for (const job of this.pending.values()) job.reject(error);
      this.pending.clear();
      if (this.worker === worker) this.worker = undefined;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`draw worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}
