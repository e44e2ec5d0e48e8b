import type { Kysely } from 'kysely';
import type SQLite from 'better-sqlite3';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import type { Database } from './db/schema.js';
import { createRest, DiscordApi } from './discord/rest.js';
import { createLogger, type Logger } from './logger.js';
import { GuildConfigService } from './services/guild-config.js';

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
}

/** Everything a process of rollcall needs, built once. Entry points only call {@link createApp}. */
export interface App {
  config: Config;
  clock: Clock;
  log: Logger;
  db: Kysely<Database>;
  sqlite: SQLite.Database;
  discord: DiscordApi;
  guildConfig: GuildConfigService;
  /** Closes the database; idempotent. */
  close(): Promise<void>;
}

/** The composition root: opens and migrates the database, builds the REST façade and services. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? systemClock;
  const log = options.logger ?? createLogger(config.logLevel);
  const database = openDatabase(config.databasePath);
  try {
    await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  const rest = createRest({ apiUrl: config.apiUrl, token: config.token });
  const discord = new DiscordApi(rest, config.applicationId);
  return {
    config,
    clock,
    log,
    db: database.db,
    sqlite: database.sqlite,
    discord,
    guildConfig: new GuildConfigService({ db: database.db, clock }),
    close: database.close,
  };
}
