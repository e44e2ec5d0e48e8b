import type { ChartRequest, ChartResult } from './catalog.js';

/** Main thread → render worker. */
export type WorkerJob = { id: number; kind: 'charts'; databasePath: string; requests: ChartRequest[] } | { id: number; kind: 'warm-up' };

/** Render worker → main thread: one `result` per chart as it is done, then `done` (or `error`). */
export type WorkerReply =
  | { id: number; kind: 'result'; index: number; result: ChartResult; ms: number; cpuMs?: number }
  | { id: number; kind: 'done' }
  | { id: number; kind: 'error'; message: string };
