import { Migrator, PostgresAdapter, sql, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from '../../../migrations/index.js';
import { PostgresSchemaPlugin } from './postgres-schema.js';

/**
 * Applies every pending migration; throws with the failing migration's name on error. The same
 * migrations run on both engines: on PostgreSQL through {@link PostgresSchemaPlugin} (64-bit
 * integers, as SQLite's).
 */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  // kysely looks for its own tables in every schema: name the one this database works in
  // (DATABASE_URL's `?schema=`), or another schema's tables would be taken for this one's.
  const schema = postgres ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  const migrator = new Migrator({
    db: postgres ? db.withPlugin(new PostgresSchemaPlugin()) : db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
    // Dated ASCII names sort the same by code unit; kysely's default localeCompare would page in
    // ICU's collation data (1.6 MiB of RSS) at every start for this one sort.
    nameComparator: (a, b) => (a < b ? -1 : a > b ? 1 : 0),
  });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const newer = /previously executed migration (\S+) is missing/.exec(String(result.error));
    if (newer) {
      // An older release on a database a newer one migrated (a rollback by hand): kysely refuses it.
      throw new Error(
        `the database was migrated by a newer release (migration ${newer[1]} is not in this one): restore the backups/pre-deploy-*.sqlite snapshot taken before that deploy (docs/operations.md, "Rolling back by hand")`,
        { cause: result.error },
      );
    }
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${String(result.error)}`, { cause: result.error });
  }
  return result;
}
