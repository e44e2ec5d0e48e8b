/**
 * The draw worker, a child of the render worker: Vega → SVG → PNG for specs it is sent, so the
 * next chart's aggregation runs on the other core while this one is drawn.
 */
import { parentPort } from 'node:worker_threads';
import type { TopLevelSpec } from 'vega-lite';
import { yieldToInteractions } from './priority.js';
import { renderSpec } from './render.js';
import { threadCpuMs } from './thread-cpu.js';

const port = parentPort;
if (!port) throw new Error('draw-worker.ts runs as a worker thread (see drawer.ts)');
yieldToInteractions();

port.on('message', async ({ id, spec }: { id: number; spec: TopLevelSpec }) => {
  const cpu = threadCpuMs();
  try {
    const r = await renderSpec(spec);
    const png = Uint8Array.from(r.png);
    const after = threadCpuMs();
    const cpuMs = cpu === undefined || after === undefined ? undefined : after - cpu;
    port.postMessage({ id, ok: true, svg: r.svg, png, width: r.width, height: r.height, cpuMs }, [png.buffer as ArrayBuffer]);
  } catch (error) {
    port.postMessage({ id, ok: false, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
