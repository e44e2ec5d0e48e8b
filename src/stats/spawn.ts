import { Worker } from 'node:worker_threads';

/**
 * Starts one of the stats worker entries from wherever this module runs: compiled `dist/` loads the
 * `.js`; TypeScript sources (tsx, vitest) go through `worker-boot.mjs`, which registers tsx inside
 * the worker first (a worker does not inherit the parent's loader hooks).
 */
export function spawnStatsWorker(entry: 'render-worker' | 'draw-worker'): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  if (!fromSource) return new Worker(new URL(`./${entry}.js`, import.meta.url));
  return new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { entry: new URL(`./${entry}.ts`, import.meta.url).href } });
}
