import { sql, type Kysely } from 'kysely';

// Frozen once landed: change the schema with a new dated migration, never by editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('guild_config')
    .addColumn('guild_id', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text')
    .addColumn('timezone', 'text', (c) => c.notNull().defaultTo('America/New_York'))
    .addColumn('first_hour', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(16)
        .check(sql`first_hour between 0 and 23`),
    )
    .addColumn('last_hour', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(2)
        .check(sql`last_hour between 0 and 23`),
    )
    .addColumn('post_time', 'text', (c) => c.notNull().defaultTo('07:00'))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('guild_config').execute();
}
