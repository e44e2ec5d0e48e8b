import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * The few SQL fragments that differ between SQLite and PostgreSQL, each written out for both so the
 * SQLite text stays exactly what its query-plan tests pin. `column` is always a name written in
 * code, never input.
 */

/** True when `db` speaks PostgreSQL (a `pg` server or PGlite). */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/**
 * `column` as an expression no index can serve. SQLite: unary `+`, which keeps its planner off an
 * index that would read every row; PostgreSQL has no unary plus on text and chooses by cost, so the
 * column itself.
 * @see https://www.sqlite.org/optoverview.html#disqualifying_where_clause_terms_using_unary_
 */
export function unindexed(db: Kysely<any>, column: string): RawBuilder<unknown> {
  return isPostgres(db) ? sql.raw(column) : sql`+${sql.raw(column)}`;
}

/** A condition that always holds (SQLite takes `1`; PostgreSQL wants a boolean). */
export function always(db: Kysely<any>): RawBuilder<boolean> {
  return isPostgres(db) ? sql<boolean>`true` : sql<boolean>`1`;
}

/** `1 << column` (an hour's bit): PostgreSQL shifts a bigint only by an integer. */
export function bitOf(db: Kysely<any>, column: string): RawBuilder<number> {
  return isPostgres(db) ? sql<number>`(1::bigint << ${sql.raw(column)}::integer)` : sql<number>`1 << ${sql.raw(column)}`;
}

/** The larger of two values (a scalar function): SQLite's two-argument `max`, PostgreSQL's `greatest`. */
export function largerOf(db: Kysely<any>): 'max' | 'greatest' {
  return isPostgres(db) ? 'greatest' : 'max';
}

/** The smaller of two values (a scalar function): SQLite's two-argument `min`, PostgreSQL's `least`. */
export function smallerOf(db: Kysely<any>): 'min' | 'least' {
  return isPostgres(db) ? 'least' : 'min';
}

/**
 * SQLite's `indexed by name` after a table (the partial index it must use, and an error if it ever
 * cannot); nothing on PostgreSQL, which has no such clause and picks a partial index by itself.
 * @see https://www.sqlite.org/lang_indexedby.html
 */
export function indexedBy(db: Kysely<any>, index: string): RawBuilder<unknown> {
  return isPostgres(db) ? sql`` : sql`indexed by ${sql.raw(index)}`;
}
