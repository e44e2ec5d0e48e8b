/**
 * The render worker: draws charts off the thread that answers Discord. It opens the SQLite file
 * read-only itself (WAL lets it read while the bot writes), so neither the queries nor Vega and
 * resvg ever block an interaction.
 */
import { parentPort } from 'node:worker_threads';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../shared/db/schema.js';
import { Drawer } from './drawer.js';
import { yieldToInteractions } from './priority.js';
import { produceCharts, type ContextCache } from './produce.js';
import type { WorkerReply, WorkerJob } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('render-worker.ts runs as a worker thread (see worker-pool.ts)');

yieldToInteractions();

const databases = new Map<string, Kysely<Database>>();
function open(path: string): Kysely<Database> {
  let opened = databases.get(path);
  if (!opened) {
    const sqlite = new SQLite(path, { readonly: true, fileMustExist: true });
    sqlite.pragma('busy_timeout = 5000');
    opened = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    databases.set(path, opened);
  }
  return opened;
}

/** Loaded stays and sweeps, reused within a minute across jobs (see CONTEXT_REUSE_MS). */
const contexts: ContextCache = new Map();
/** Draws while the next chart is aggregated (the other core). */
const drawer = new Drawer();

const send = (reply: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);

// One job at a time, in arrival order: two charts at once would only share the same core.
let queue: Promise<void> = Promise.resolve();
port.on('message', (job: WorkerJob) => {
  queue = queue.then(async () => {
    if (job.kind === 'warm-up') {
      await drawer.draw({ data: { values: [{ a: 'x', b: 1 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'nominal' }, y: { field: 'b', type: 'quantitative' } } });
      send({ id: job.id, kind: 'done' });
      return;
    }
    try {
      const db = open(job.databasePath);
      await produceCharts(db, job.requests, (index, result, ms, cpuMs) => {
        // The PNG's bytes move to the main thread instead of being copied.
        const png = result.ok ? Uint8Array.from(result.png) : undefined;
        const out = result.ok && png ? { ...result, png } : result;
        send({ id: job.id, kind: 'result', index, result: out, ms, cpuMs }, png ? [png.buffer as ArrayBuffer] : []);
      }, { contexts, draw: drawer.draw });
      send({ id: job.id, kind: 'done' });
    } catch (error) {
      send({ id: job.id, kind: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    }
  });
});
