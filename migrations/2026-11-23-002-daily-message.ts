import { sql, type Kysely } from 'kysely';

// Frozen once landed: change the schema with a new dated migration, never by editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per guild per local date, written *before* the REST create (state 'planned') so a
  // restart retries with the same nonce instead of posting twice.
  await db.schema
    .createTable('daily_posts')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('planned', 'posted', 'reacted', 'failed')`))
    .addColumn('message_id', 'text')
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('first_hour', 'integer', (c) => c.notNull())
    .addColumn('last_hour', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('posted_at', 'integer')
    .addPrimaryKeyConstraint('daily_posts_pk', ['guild_id', 'date'])
    .execute();
  await db.schema.createIndex('daily_posts_message').on('daily_posts').column('message_id').unique().execute();

  // Who is coming at which hour of which day. `declared`: 'schedule' (from /schedule), 'reaction'
  // (clicked), 'out' (un-clicked: not coming, overrides a schedule for that day), null (only seen).
  await db.schema
    .createTable('availability')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('hour', 'integer', (c) => c.notNull().check(sql`hour between 0 and 23`))
    .addColumn('declared', 'text', (c) => c.check(sql`declared in ('schedule', 'reaction', 'out')`))
    .addColumn('seen_in_voice', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('availability_pk', ['guild_id', 'date', 'user_id', 'hour'])
    .addForeignKeyConstraint('availability_post', ['guild_id', 'date'], 'daily_posts', ['guild_id', 'date'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('availability_user').on('availability').columns(['guild_id', 'user_id']).execute();

  // Recurring availability as local wall-clock: ISO weekday (1 = Monday) and hour in guild time.
  await db.schema
    .createTable('schedules')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('weekday', 'integer', (c) => c.notNull().check(sql`weekday between 1 and 7`))
    .addColumn('hour', 'integer', (c) => c.notNull().check(sql`hour between 0 and 23`))
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('schedules_pk', ['guild_id', 'user_id', 'weekday', 'hour'])
    .execute();

  // Coalesced message edits shared by every process on this file: who may edit a message now
  // (lease), whether it needs an edit (dirty), and the token buckets' state.
  await db.schema
    .createTable('message_edits')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('dirty_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('edited_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('rate_buckets')
    .addColumn('bucket', 'text', (c) => c.primaryKey())
    .addColumn('tokens', 'real', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();

  // "Tell the member why once": one notice per member per reason per day.
  await db.schema
    .createTable('member_notices')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_notices_pk', ['guild_id', 'user_id', 'reason', 'date'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['member_notices', 'rate_buckets', 'message_edits', 'schedules', 'availability', 'daily_posts']) {
    await db.schema.dropTable(table).execute();
  }
}
