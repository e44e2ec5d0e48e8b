/**
 * `npm run bench -- storage [--takes N]`: what each storage engine costs the two things every
 * process does most against the shared database — a take from the rate budget (one transaction
 * with a row lock: every create, edit and reaction) and a coalesced edit's bookkeeping (bump,
 * acquire the lease, record the version, release) — by one process and by two at once, on the
 * SQLite file, PGlite and (with Debian's postgresql installed) a throw-away PostgreSQL server on
 * 127.0.0.1, all measured in the same run.
 */
import { openDatabase, type OpenDatabase } from '../src/shared/db/database.js';
import { migrateToLatest } from '../src/shared/db/migrate.js';
import { PostgresEditLeases, SqliteEditLeases, type EditLeases } from '../src/shared/discord/edit-leases.js';
import { PostgresRateBudget, SqliteRateBudget, type RateBudget } from '../src/shared/discord/limiter.js';
import { tempDir } from '../tests/helpers/app.js';
import { startPostgres } from '../tests/helpers/postgres-server.js';
import { needs } from '../tests/helpers/programs.js';
import { printResult, printTable, progress, type Row } from './lib/report.js';

const budgetOf = (d: OpenDatabase): RateBudget => (d.engine === 'sqlite' ? new SqliteRateBudget(d.sqlite) : new PostgresRateBudget(d.db));
const leasesOf = (d: OpenDatabase): EditLeases => (d.engine === 'sqlite' ? new SqliteEditLeases(d.sqlite) : new PostgresEditLeases(d.db));

/** Takes `n` tokens of distinct channels (none waits: this is the database's cost, not the budget's pacing). */
async function takes(budget: RateBudget, n: number, prefix: string): Promise<void> {
  for (let i = 0; i < n; i++) await budget.take('reaction', `${prefix}-${i}`);
}

async function edits(leases: EditLeases, n: number, owner: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    const id = `${owner}-${i}`;
    await leases.bump(id, 'c');
    const now = Date.now();
    await leases.acquire(id, owner, now + 60_000, now);
    await leases.done(id, 1);
    await leases.release(id, owner);
  }
}

async function perSecond(n: number, work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return Math.round((n * 1000) / (performance.now() - started));
}

export async function run(args: string[]): Promise<void> {
  const flag = args.indexOf('--takes');
  const n = flag >= 0 ? Number(args[flag + 1]) : 300;
  const tmp = tempDir();
  const server = needs('postgres').missing ? null : await startPostgres();
  const engines: { name: string; target: string }[] = [
    { name: 'sqlite', target: `${tmp.dir}/bench.sqlite` },
    { name: 'pglite', target: 'pglite://bench' },
    ...(server ? [{ name: 'postgres', target: server.url }] : []),
  ];
  const rows: Row[] = [];
  try {
    for (const engine of engines) {
      progress(`${engine.name}: opening and migrating`);
      const a = openDatabase(engine.target);
      const b = openDatabase(engine.target);
      try {
        const started = performance.now();
        await migrateToLatest(a.db);
        const migrateMs = Math.round(performance.now() - started);
        const one = await perSecond(n, () => takes(budgetOf(a), n, 'one'));
        const two = await perSecond(2 * n, () => Promise.all([takes(budgetOf(a), n, 'a'), takes(budgetOf(b), n, 'b')]));
        const editOne = await perSecond(n, () => edits(leasesOf(a), n, 'solo'));
        const editTwo = await perSecond(2 * n, () => Promise.all([edits(leasesOf(a), n, 'p1'), edits(leasesOf(b), n, 'p2')]));
        rows.push({ engine: engine.name, 'open+migrate ms': migrateMs, 'takes/s (1 process)': one, 'takes/s (2 processes)': two, 'edit cycles/s (1)': editOne, 'edit cycles/s (2)': editTwo });
      } finally {
        await a.close();
        await b.close();
      }
    }
  } finally {
    server?.stop();
    tmp.cleanup();
  }
  printTable(rows, `Storage engines: ${n} rate-budget takes and ${n} edit cycles per process (2 processes = two connections to one database)`);
  printResult({ bench: 'storage', takes: n, engines: rows });
}
