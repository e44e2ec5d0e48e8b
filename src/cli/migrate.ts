import { openDatabase } from '../shared/db/database.js';
import { migrateToLatest } from '../shared/db/migrate.js';
import { DEFAULTS } from '../shared/config.js';

/** `npm run migrate`: apply pending migrations to DATABASE_PATH (needs no Discord credentials). */
const path = process.env.DATABASE_PATH?.trim() || DEFAULTS.DATABASE_PATH;
let database: ReturnType<typeof openDatabase>;
try {
  database = openDatabase(path);
} catch (error) {
  // One line, as the bot's own start says it (a file this user cannot write names its owner and mode).
  console.error(`rollcall: cannot open ${path}: ${error instanceof Error ? error.message : String(error)}`);
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
