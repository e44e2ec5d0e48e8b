import { openDatabase } from '../shared/db/database.js';
import { migrateToLatest } from '../shared/db/migrate.js';
import { loadDatabaseTarget } from '../shared/config.js';

/**
 * `npm run migrate`: apply pending migrations to DATABASE_URL (PostgreSQL) or else the SQLite file
 * DATABASE_PATH (needs no Discord credentials).
 */
let path = '';
let database: ReturnType<typeof openDatabase>;
try {
  const { target, label } = loadDatabaseTarget();
  path = label;
  database = openDatabase(target);
} catch (error) {
  // One line, as the bot's own start says it (a file this user cannot write names its owner and mode).
  const reason = error instanceof Error ? error.message : String(error);
  console.error(path ? `rollcall: cannot open ${path}: ${reason}` : `rollcall: configuration error: ${reason}`);
  process.exit(1);
}
try {
  const result = await migrateToLatest(database.db);
  const applied = result.results ?? [];
  console.log(applied.length ? applied.map((r) => `applied ${r.migrationName}`).join('\n') : `${path} is up to date.`);
} catch (error) {
  console.error(`rollcall: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
