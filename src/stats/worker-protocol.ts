import type { TopLevelSpec } from 'vega-lite';
import type { ChartRequest, ChartResult } from './catalog.js';
import type { Rendered } from './render.js';

/** Main thread → render worker. */
export type WorkerJob = { id: number; kind: 'charts'; databasePath: string; requests: ChartRequest[] } | { id: number; kind: 'warm-up' };

/** One chart done, as a worker reports it (`index` into the job's requests). */
export type ChartReply = { id: number; kind: 'result'; index: number; result: ChartResult; ms: number; cpuMs?: number };

/** Render worker → main thread: one `result` per chart as it is done, then `done` (or `error`). */
export type WorkerReply = ChartReply | { id: number; kind: 'done' } | { id: number; kind: 'error'; message: string };

/** Render worker → draw worker: draw one spec, or aggregate and draw whole charts itself. */
export type DrawJob = { id: number; kind: 'draw'; spec: TopLevelSpec } | { id: number; kind: 'charts'; databasePath: string; requests: ChartRequest[] };

/** Draw worker → render worker: a drawn spec; or per chart `result`s then `done`; or `error`. */
export type DrawReply = ({ id: number; kind: 'drawn'; cpuMs?: number } & Rendered) | WorkerReply;
