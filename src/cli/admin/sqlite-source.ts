import { existsSync, statSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { migrations } from '../../../migrations/index.js';
import { AdminError, messageOf } from './errors.js';

/** One table of the SQLite file to move: its columns, in the file's order, and its row count. */
export interface SourceTable {
  name: string;
  columns: string[];
  rows: number;
}

/**
 * The SQLite database `migrate-to-postgres` copies from, opened read-only inside one read
 * transaction: every count and every row comes from the same snapshot, even if a writer were still
 * at work (WAL keeps the snapshot).
 */
export interface SqliteSource {
  path: string;
  /** Tables in dependency order: a table comes after every table its foreign keys name. */
  tables: SourceTable[];
  /** The newest heartbeat in the file (unix ms), to warn about a bot still writing; null without one. */
  lastBeat: number | null;
  /** The table's rows in `rowid` order, `size` at a time, each row as column → value. */
  batches(table: SourceTable, size: number): Generator<Record<string, unknown>[]>;
  close(): void;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Opens `path` and checks that it is a rollcall database of exactly this release's schema: every
 * migration this release has applied, none it does not know. Anything else is one
 * {@link AdminError} saying what to do, and the file is not changed (it is opened read-only).
 */
export function openSqliteSource(path: string): SqliteSource {
  if (!existsSync(path)) throw new AdminError(`no SQLite database at ${path} (pass --from <file> or set DATABASE_PATH)`);
  if (!statSync(path).isFile()) throw new AdminError(`${path} is not a file (pass --from <file>: the SQLite database)`);
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(path, { readonly: true, fileMustExist: true });
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('schema_version'); // reads the header: "file is not a database" here, not mid-copy
  } catch (error) {
    throw new AdminError(`${path} is not an SQLite database rollcall can read: ${messageOf(error)}`);
  }
  try {
    checkSchema(sqlite, path);
    sqlite.exec('begin'); // one snapshot for the counts and the copy
    const tables = inDependencyOrder(sqlite).map((name) => ({
      name,
      columns: sqlite.prepare(`select name from pragma_table_info(?) order by cid`).pluck().all(name) as string[],
      rows: sqlite
        .prepare(`select count(*) from ${quote(name)}`)
        .pluck()
        .get() as number,
    }));
    const lastBeat = (sqlite.prepare('select max(beat_at) from heartbeats').pluck().get() as number | null) ?? null;
    return {
      path,
      tables,
      lastBeat,
      *batches(table, size) {
        const statement = sqlite.prepare(`select ${table.columns.map(quote).join(', ')} from ${quote(table.name)} order by rowid`).safeIntegers(true);
        let batch: Record<string, unknown>[] = [];
        for (const row of statement.iterate() as Iterable<Record<string, unknown>>) {
          for (const column of table.columns) row[column] = portable(row[column]);
          batch.push(row);
          if (batch.length === size) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length > 0) yield batch;
      },
      close() {
        if (sqlite.inTransaction) sqlite.exec('commit');
        sqlite.close();
      },
    };
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

/**
 * SQLite integers are read as bigint so none past 2^53 is rounded on the way; the ones that fit (all
 * of rollcall's) go on as numbers, any other as its decimal text, which PostgreSQL reads exactly
 * into its bigint column.
 */
function portable(value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** The migrations must be exactly this release's: copying another schema's rows would lose or misplace columns. */
function checkSchema(sqlite: SQLite.Database, path: string): void {
  const hasTable = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'").get() !== undefined;
  if (!hasTable) throw new AdminError(`${path} is not a rollcall database (it has no migrations table); pass --from <file> with the bot's database`);
  const applied = new Set(sqlite.prepare('select name from kysely_migration').pluck().all() as string[]);
  const known = Object.keys(migrations);
  const unknown = [...applied].filter((name) => !known.includes(name)).sort();
  if (unknown.length > 0) {
    throw new AdminError(`${path} was migrated by a newer release of rollcall (migration ${unknown[0]} is not in this one): run migrate-to-postgres from that release`);
  }
  const pending = known.filter((name) => !applied.has(name));
  if (pending.length > 0) {
    throw new AdminError(
      `${path} is from an older release of rollcall (${pending.length} migration${pending.length === 1 ? '' : 's'} not applied, first ${pending[0]}): with the bot stopped and a backup taken, run \`npm run admin -- migrate --database ${path}\` first`,
    );
  }
}

/**
 * rollcall's tables (not SQLite's or kysely's own), each after the tables its foreign keys point
 * to, so PostgreSQL's constraints hold at every insert; alphabetical otherwise, for a stable order.
 */
function inDependencyOrder(sqlite: SQLite.Database): string[] {
  const names = sqlite.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name").pluck().all() as string[];
  const parents = new Map(names.map((name) => [name, new Set((sqlite.prepare('select "table" from pragma_foreign_key_list(?)').pluck().all(name) as string[]).filter((p) => p !== name))]));
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < names.length) {
    const next = names.find((name) => !placed.has(name) && [...parents.get(name)!].every((p) => placed.has(p) || !parents.has(p)));
    if (!next) throw new AdminError(`the tables' foreign keys form a cycle (${names.filter((n) => !placed.has(n)).join(', ')}): cannot order the copy`);
    ordered.push(next);
    placed.add(next);
  }
  return ordered;
}
