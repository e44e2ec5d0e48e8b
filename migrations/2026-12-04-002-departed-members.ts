import type { Kysely } from 'kysely';

// Frozen once landed: change the schema with a new dated migration, never by editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Members Discord says are no longer in the guild (10007 Unknown Member on a look-up: without the
  // privileged members intent that is how the bot learns it). Their schedule is paused and they are
  // left off the daily message until a payload shows them again; their data follows retention.
  await db.schema
    .createTable('departed_members')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('departed_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('departed_members_pk', ['guild_id', 'user_id'])
    .execute();
}
