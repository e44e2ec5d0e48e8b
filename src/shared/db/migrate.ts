import { Migrator, type Kysely, type MigrationResultSet } from 'kysely';
import { migrations } from '../../../migrations/index.js';

/** Applies every pending migration; throws with the failing migration's name on error. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationResultSet> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
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
