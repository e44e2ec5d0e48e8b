import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * One PGlite instance is one PostgreSQL backend: one connection. Whoever holds this lock owns it,
 * from `acquireConnection` to `releaseConnection`, so a kysely transaction's statements are never
 * interleaved with another caller's — also when several Kysely instances (two apps of a test, like
 * two processes on one server) share the instance.
 */
export class ConnectionLock {
  private tail: Promise<void> = Promise.resolve();
  /** The schema the connection's `search_path` names now (see {@link PGliteDialect}'s `schema`). */
  searchPath = 'public';

  async acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const before = this.tail;
    this.tail = before.then(() => held);
    await before;
    return release;
  }
}

/** Statements whose result's `affectedRows` is a row count kysely should report (`numAffectedRows`). */
const COUNTED = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pg: PGlite) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pg.query<R>(compiled.sql, [...compiled.parameters]);
    const command = result.command?.toUpperCase();
    return {
      rows: result.rows,
      ...(command && COUNTED.has(command) ? { numAffectedRows: BigInt(result.rowCount ?? result.affectedRows ?? 0) } : {}),
    };
  }

  // eslint-disable-next-line require-yield -- kysely's interface; nothing here streams
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite: streaming queries is not supported');
  }
}

/**
 * A kysely {@link Driver} over PGlite's query API (the community dialects on npm pin older PGlite
 * majors): PostgreSQL's SQL, adapter and introspector, one serialized connection.
 * @see https://pglite.dev/docs/api#query
 */
class PGliteDriver implements Driver {
  private readonly releases = new WeakMap<DatabaseConnection, () => void>();
  private pg: PGlite | undefined;

  constructor(
    private readonly instance: Promise<PGlite>,
    private readonly lock: ConnectionLock,
    private readonly schema: string,
    private readonly onDestroy: () => Promise<void>,
  ) {}

  async init(): Promise<void> {
    this.pg = await this.instance;
    await this.pg.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.lock.acquire();
    const connection = new PGliteConnection(this.pg!);
    this.releases.set(connection, release);
    if (this.lock.searchPath !== this.schema) {
      try {
        const name = `"${this.schema.replace(/"/g, '""')}"`;
        await this.pg!.exec(`create schema if not exists ${name}; set search_path to ${name}`);
        this.lock.searchPath = this.schema;
      } catch (error) {
        release();
        throw error;
      }
    }
    return connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await connection.executeQuery(CompiledQuery.raw(`begin${isolation}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.releases.get(connection)?.();
    this.releases.delete(connection);
  }

  async destroy(): Promise<void> {
    await this.onDestroy();
  }
}

/** kysely's PostgreSQL dialect, run on a PGlite instance instead of a `pg` pool. */
export class PGliteDialect implements Dialect {
  /**
   * `schema`: the PostgreSQL schema this Kysely instance works in (its `search_path`, set whenever
   * the shared connection changes hands between openers of different schemas): tests keep one
   * PGlite instance per process — starting one costs seconds — and give each database a schema.
   */
  constructor(
    private readonly pg: Promise<PGlite>,
    private readonly lock: ConnectionLock,
    private readonly schema: string,
    private readonly onDestroy: () => Promise<void>,
  ) {}

  createDriver(): Driver {
    return new PGliteDriver(this.pg, this.lock, this.schema, this.onDestroy);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}
