/**
 * The draw worker, a child of the render worker: Vega → SVG → PNG for specs it is sent, so the
 * next chart's aggregation runs on the other core while this one is drawn. It is also handed the
 * charts that read only their own few rows (see `splitBatch`), aggregating and drawing them while
 * the render worker loads the window's shared stays.
 */
import { parentPort } from 'node:worker_threads';
import { yieldToInteractions } from './priority.js';
import { produceCharts, type ContextCache } from './produce.js';
import { openReadOnly } from './readonly-db.js';
import { renderSpec } from './render.js';
import { threadCpuMs } from './thread-cpu.js';
import type { DrawJob, DrawReply } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('draw-worker.ts runs as a worker thread (see drawer.ts)');
yieldToInteractions();

const send = (reply: DrawReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);
const errorText = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));
const contexts: ContextCache = new Map();

port.on('message', async (job: DrawJob) => {
  if (job.kind === 'charts') {
    try {
      await produceCharts(
        openReadOnly(job.databasePath),
        job.requests,
        (index, result, ms, cpuMs) => {
          const png = result.ok ? Uint8Array.from(result.png) : undefined;
          send({ id: job.id, kind: 'result', index, result: result.ok && png ? { ...result, png } : result, ms, cpuMs }, png ? [png.buffer as ArrayBuffer] : []);
        },
        { contexts },
      );
      send({ id: job.id, kind: 'done' });
    } catch (error) {
      send({ id: job.id, kind: 'error', message: errorText(error) });
    }
    return;
  }
  const cpu = threadCpuMs();
  try {
    const r = await renderSpec(job.spec);
    const png = Uint8Array.from(r.png);
    const after = threadCpuMs();
    const cpuMs = cpu === undefined || after === undefined ? undefined : after - cpu;
    send({ id: job.id, kind: 'drawn', svg: r.svg, png, width: r.width, height: r.height, cpuMs }, [png.buffer as ArrayBuffer]);
  } catch (error) {
    send({ id: job.id, kind: 'error', message: errorText(error) });
  }
});
