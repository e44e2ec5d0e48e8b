import { sql, type Kysely, type Transaction } from 'kysely';
import { isPostgresTarget, type OpenDatabase } from '../../shared/db/engine.js';
import { migrateToLatest } from '../../shared/db/migrate.js';
import { openPostgres } from '../../shared/db/postgres.js';
import { AdminError, messageOf } from './errors.js';
import { openSqliteSource, type SourceTable, type SqliteSource } from './sqlite-source.js';

/** One table's rows on each side after the copy. */
export interface TableCount {
  table: string;
  sqlite: number;
  postgres: number;
}

/** What `migrate-to-postgres` did: the counts per table, and whether they all agree. */
export interface MoveReport {
  from: string;
  /** The target URL with its password hidden. */
  to: string;
  tables: TableCount[];
  rows: number;
  /** Every table's counts equal: the copy was committed. Otherwise nothing was (the transaction rolled back). */
  ok: boolean;
  seconds: number;
}

export interface MoveOptions {
  /** Copy into a target whose rollcall tables have rows: they are emptied first, in the same transaction. */
  force?: boolean;
  /** Rows per INSERT (default: as many as stay under PostgreSQL's 65 535 parameters, at most 5 000). */
  batchRows?: number;
  /** Progress lines (stderr in the admin tool). */
  log?: (line: string) => void;
}

/** `postgres://rollcall:secret@db/rollcall` → `postgres://rollcall:***@db/rollcall`: what the tool prints and says in errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Copies the SQLite database `from` into the PostgreSQL (or PGlite) database `to`: checks both
 * first (the source is this release's schema; the target is reachable and holds no rollcall rows
 * unless `force`), runs the migrations there, then copies every table in dependency order, in
 * multi-row INSERTs, inside one transaction; moves each serial column's sequence past the copied
 * ids; and counts every table on both sides before committing. Counts that differ roll the whole
 * copy back (the report says which). A refusal changes nothing on either side.
 */
export async function migrateToPostgres(from: string, to: string | undefined, options: MoveOptions = {}): Promise<MoveReport> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  if (!to?.trim()) throw new AdminError('no target: pass --to postgres://user:password@host:5432/db (or pglite:///folder), or set DATABASE_URL');
  const shown = redactUrl(to);
  if (!isPostgresTarget(to)) throw new AdminError(`the target must be a postgres:// or pglite:// URL (got ${shown})`);
  const source = openSqliteSource(from);
  let target: OpenDatabase | undefined;
  try {
    if (source.lastBeat !== null && Date.now() - source.lastBeat < 120_000) {
      log(`warning: ${from} has a heartbeat from ${Math.round((Date.now() - source.lastBeat) / 1000)} s ago — is the bot still running? Rows it writes after this snapshot are not copied.`);
    }
    target = openTarget(to, shown);
    await reach(target.db, shown);
    await refuseNonEmpty(target.db, source.tables, shown, options.force === true);
    try {
      await migrateToLatest(target.db);
    } catch (error) {
      throw new AdminError(`migrating ${shown} failed: ${messageOf(error)}`);
    }
    await checkColumns(target.db, source.tables, shown);
    const tables = await copyAll(target.db, source, options, log);
    const ok = tables.every((t) => t.sqlite === t.postgres);
    return { from, to: shown, tables, rows: tables.reduce((sum, t) => sum + t.sqlite, 0), ok, seconds: (performance.now() - started) / 1000 };
  } finally {
    source.close();
    await target?.close();
  }
}

function openTarget(url: string, shown: string): OpenDatabase {
  try {
    return openPostgres(url);
  } catch (error) {
    throw new AdminError(`cannot use ${shown}: ${messageOf(error)}`);
  }
}

/** One round trip first, so an unreachable server or a wrong password is one line before anything else. */
async function reach(db: Kysely<any>, shown: string): Promise<void> {
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    const why = messageOf(error) || (error as { code?: string }).code || 'no answer';
    throw new AdminError(`cannot reach ${shown}: ${why.split('\n')[0]}`);
  }
}

/** Existing rollcall tables of the target (in its schema) that hold rows, with their counts. */
async function rowsAlreadyThere(db: Kysely<any>, tables: readonly SourceTable[]): Promise<{ table: string; rows: number }[]> {
  const present = new Set((await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(db)).rows.map((r) => r.name));
  const out: { table: string; rows: number }[] = [];
  for (const { name } of tables) {
    if (!present.has(name)) continue;
    const rows = Number((await sql<{ n: number }>`select count(*) as n from ${sql.raw(quote(name))}`.execute(db)).rows[0]?.n ?? 0);
    if (rows > 0) out.push({ table: name, rows });
  }
  return out;
}

/** A target with rows is refused before anything (migrations included) touches it, unless forced. */
async function refuseNonEmpty(db: Kysely<any>, tables: readonly SourceTable[], shown: string, force: boolean): Promise<void> {
  const there = await rowsAlreadyThere(db, tables);
  if (there.length === 0 || force) return;
  const listed = there
    .slice(0, 3)
    .map((t) => `${t.table}: ${t.rows}`)
    .join(', ');
  throw new AdminError(`${shown} already has rollcall data (${listed}${there.length > 3 ? ', …' : ''}); nothing was changed. Point --to at an empty database, or add --force to replace its rows`);
}

/** After the migrations both sides are one schema; a column missing there means the target is not rollcall's. */
async function checkColumns(db: Kysely<any>, tables: readonly SourceTable[], shown: string): Promise<void> {
  const rows = (await sql<{ t: string; c: string }>`select table_name as t, column_name as c from information_schema.columns where table_schema = current_schema()`.execute(db)).rows;
  const columns = new Set(rows.map((r) => `${r.t}.${r.c}`));
  for (const table of tables) {
    const missing = table.columns.find((c) => !columns.has(`${table.name}.${c}`));
    if (missing) throw new AdminError(`${shown} has no column ${table.name}.${missing} after the migrations: it is not a rollcall database of this release`);
  }
}

class CountsDiffer extends Error {
  constructor(readonly tables: TableCount[]) {
    super('row counts differ');
  }
}

async function copyAll(db: Kysely<any>, source: SqliteSource, options: MoveOptions, log: (line: string) => void): Promise<TableCount[]> {
  try {
    return await db.transaction().execute(async (trx) => {
      if (options.force) await sql`truncate table ${sql.raw(source.tables.map((t) => quote(t.name)).join(', '))} restart identity`.execute(trx);
      for (const table of source.tables) await copyTable(trx, source, table, options.batchRows, log);
      await advanceSequences(trx, source.tables);
      const counts: TableCount[] = [];
      for (const table of source.tables) {
        const there = Number((await sql<{ n: number }>`select count(*) as n from ${sql.raw(quote(table.name))}`.execute(trx)).rows[0]?.n ?? 0);
        counts.push({ table: table.name, sqlite: table.rows, postgres: there });
      }
      if (counts.some((c) => c.sqlite !== c.postgres)) throw new CountsDiffer(counts);
      return counts;
    });
  } catch (error) {
    if (error instanceof CountsDiffer) return error.tables;
    if (error instanceof AdminError) throw error;
    throw new AdminError(`the copy failed and was rolled back, nothing was changed: ${messageOf(error).split('\n')[0]}`);
  }
}

async function copyTable(trx: Transaction<any>, source: SqliteSource, table: SourceTable, batchRows: number | undefined, log: (line: string) => void): Promise<void> {
  if (table.rows === 0) return;
  const size = batchRows ?? Math.max(1, Math.min(5_000, Math.floor(60_000 / table.columns.length)));
  const t = performance.now();
  let copied = 0;
  for (const batch of source.batches(table, size)) {
    try {
      await trx.insertInto(table.name).values(batch).execute();
    } catch (error) {
      throw new AdminError(`copying ${table.name} (rows ${copied + 1}–${copied + batch.length}) failed, the copy was rolled back and nothing was changed: ${messageOf(error).split('\n')[0]}`);
    }
    copied += batch.length;
  }
  log(`${table.name}: ${copied} rows in ${Math.round(performance.now() - t)} ms`);
}

/**
 * The copy wrote the ids itself, so each serial (or identity) column's sequence still stands at 1:
 * the next insert would collide with a copied id. Each is set to follow the largest id copied.
 */
async function advanceSequences(trx: Transaction<any>, tables: readonly SourceTable[]): Promise<void> {
  const names = new Set(tables.map((t) => t.name));
  const serials = (
    await sql<{ t: string; c: string }>`select table_name as t, column_name as c from information_schema.columns
      where table_schema = current_schema() and (column_default like 'nextval(%' or is_identity = 'YES')`.execute(trx)
  ).rows.filter((r) => names.has(r.t));
  for (const { t, c } of serials) {
    await sql`select setval(pg_get_serial_sequence(${quote(t)}, ${c}), coalesce(max(${sql.ref(c)}), 0) + 1, false) from ${sql.raw(quote(t))}`.execute(trx);
  }
}

/** The report as the table the tool prints: one line per table, the mismatches marked. */
export function formatCounts(report: MoveReport): string {
  const width = Math.max(5, ...report.tables.map((t) => t.table.length));
  const lines = [`${'table'.padEnd(width)}  ${'SQLite'.padStart(9)}  ${'PostgreSQL'.padStart(10)}`];
  for (const t of report.tables) lines.push(`${t.table.padEnd(width)}  ${String(t.sqlite).padStart(9)}  ${String(t.postgres).padStart(10)}${t.sqlite === t.postgres ? '' : '  ✗ differs'}`);
  return lines.join('\n');
}
