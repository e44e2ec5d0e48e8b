import type { Kysely } from 'kysely';

// Frozen once landed: change the schema with a new dated migration, never by editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Per guild, the spoken greeting in voice: off until an admin turns it on. `voice` and `speed`
  // are espeak-ng's `-v` and `-s`; null = the bot's defaults. `say_nobody` = greet even when the
  // daily message has nobody else ("nobody else has signed up yet").
  await db.schema
    .createTable('voice_greeting_settings')
    .addColumn('guild_id', 'text', (c) => c.primaryKey())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('delay_s', 'integer', (c) => c.notNull().defaultTo(10))
    .addColumn('voice', 'text')
    .addColumn('speed', 'integer')
    .addColumn('say_nobody', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();

  // Who was greeted in which guild-local hour (`yyyy-MM-ddTHH`): at most once per member per hour,
  // also across a restart. Old rows are pruned as new ones are written.
  await db.schema
    .createTable('voice_greetings')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('hour_key', 'text', (c) => c.notNull())
    .addColumn('greeted_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('voice_greetings_pk', ['guild_id', 'user_id', 'hour_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('voice_greetings').execute();
  await db.schema.dropTable('voice_greeting_settings').execute();
}
