import type { Worker } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import type { Rendered } from './render.js';
import { spawnStatsWorker } from './spawn.js';

/** How a spec becomes a picture: on this thread ({@link renderSpec}) or in a {@link Drawer}. */
export type Draw = (spec: TopLevelSpec) => Promise<Rendered & { cpuMs?: number }>;

type Reply = ({ ok: true } & Rendered & { cpuMs?: number }) | { ok: false; message: string };

/** A draw worker owned by the render worker; drawing overlaps the next chart's aggregation. */
export class Drawer {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: Rendered & { cpuMs?: number }) => void; reject: (e: Error) => void }>();

  readonly draw: Draw = (spec) =>
    new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      this.ensure().postMessage({ id, spec });
    });

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnStatsWorker('draw-worker');
    worker.on('message', (reply: Reply & { id: number }) => {
      const job = this.pending.get(reply.id);
      if (!job) return;
      this.pending.delete(reply.id);
      if (reply.ok) job.resolve(reply);
      else job.reject(new Error(`draw worker: ${reply.message}`));
    });
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
