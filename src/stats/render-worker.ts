/**
 * The render worker: draws charts off the thread that answers Discord. It opens the SQLite file
 * read-only itself (WAL lets it read while the bot writes), so neither the queries nor Vega and
 * resvg ever block an interaction.
 */
import { parentPort } from 'node:worker_threads';
import { Drawer } from './drawer.js';
import { yieldProcessToInteractions, yieldToInteractions } from './priority.js';
import { produceCharts, splitBatch, type ChartProgress, type ContextCache } from './produce.js';
import { openReadOnly } from './readonly-db.js';
import type { WorkerReply, WorkerJob } from './worker-protocol.js';

/** The bot: the parent thread, or (as the bot runs it, see spawn.ts) the parent process over IPC. */
interface Port {
  on(event: 'message', listener: (job: WorkerJob) => void): void;
  postMessage(reply: WorkerReply, transfer?: ArrayBuffer[]): void;
}
const toParent = process.send?.bind(process);
const port: Port | null = parentPort ?? (toParent ? { on: (event, listener) => process.on(event, listener), postMessage: (r) => void toParent(r) } : null);
if (!port) throw new Error('render-worker.ts runs as a worker thread or a child process with IPC (see worker-pool.ts)');
// The bot went away (or stopped this worker): nothing left to draw for.
if (!parentPort) process.once('disconnect', () => process.exit(0));

if (parentPort) yieldToInteractions();
else yieldProcessToInteractions();

/** Loaded stays and sweeps, reused within a minute across jobs (see CONTEXT_REUSE_MS). */
const contexts: ContextCache = new Map();
/** Draws while the next chart is aggregated (the other core), and takes the charts that share nothing. */
const drawer = new Drawer();

const send = (r: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(r, transfer);

// One job at a time, in arrival order: two batches at once would only share the same two cores.
let queue: Promise<void> = Promise.resolve();
port.on('message', (job: WorkerJob) => {
  queue = queue.then(async () => {
    if (job.kind === 'warm-up') {
      await drawer.draw({ data: { values: [{ a: 'x', b: 1 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } } });
      send({ id: job.id, kind: 'done' });
      return;
    }
    try {
      // Each part reports with its own indices; `forward` maps them back to the job's.
      const forward =
        (indices: readonly number[]): ChartProgress =>
        (i, result, ms, cpuMs) => {
          // The PNG's bytes move to the main thread instead of being copied.
          const png = result.ok ? Uint8Array.from(result.png) : undefined;
          const out = result.ok && png ? { ...result, png } : result;
          send({ id: job.id, kind: 'result', index: indices[i]!, result: out, ms, cpuMs }, png ? [png.buffer as ArrayBuffer] : []);
        };
      const { own, shared } = splitBatch(job.requests);
      const pick = (indices: readonly number[]) => indices.map((i) => job.requests[i]!);
      // Both parts settle before the job ends, failed or not: a part still running must not overlap the next job.
      const parts = await Promise.allSettled([
        drawer.charts(job.databasePath, pick(own), forward(own)),
        produceCharts(openReadOnly(job.databasePath), pick(shared), forward(shared), { contexts, draw: drawer.draw }),
      ]);
      const failed = parts.find((p) => p.status === 'rejected');
      if (failed) throw failed.reason;
      send({ id: job.id, kind: 'done' });
    } catch (error) {
      send({ id: job.id, kind: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
});
