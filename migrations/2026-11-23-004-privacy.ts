import type { Kysely } from 'kysely';

// Frozen once landed: change the schema with a new dated migration, never by editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A member who turned voice tracking off in a guild. The one row kept about a member after
  // `/privacy erase`: without it the choice could not be honoured.
  await db.schema
    .createTable('privacy_opt_outs')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('opted_out_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('privacy_opt_outs_pk', ['guild_id', 'user_id'])
    .execute();

  // Per guild, nothing about members: how long history is kept, the local date the retention job
  // last ran (so it runs once a day whichever process ticks), and a counter bumped whenever rows are
  // removed or someone opts out or in, so cached chart data is never reused across such a change.
  await db.schema
    .createTable('privacy_settings')
    .addColumn('guild_id', 'text', (c) => c.primaryKey())
    .addColumn('retention_days', 'integer', (c) => c.notNull().defaultTo(365))
    .addColumn('retention_ran_on', 'text')
    .addColumn('generation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('privacy_settings').execute();
  await db.schema.dropTable('privacy_opt_outs').execute();
}
