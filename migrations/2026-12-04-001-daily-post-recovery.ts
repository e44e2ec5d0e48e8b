import type { Kysely } from 'kysely';

// Frozen once landed: change the schema with a new dated migration, never by editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // When the day's reactions stopped reflecting the votes: a moderator cleared them, or the message
  // was deleted and a replacement posted. Votes from before stay counted (the database holds them);
  // a reconcile after a gap in events must not read their missing reactions as un-clicks.
  await db.schema.alterTable('daily_posts').addColumn('reactions_reset_at', 'integer').execute();
  // How many times today's message was posted again after being deleted: the automatic replacement
  // stops after a few, so a moderation bot that deletes it on sight cannot make rollcall loop.
  await db.schema
    .alterTable('daily_posts')
    .addColumn('replacements', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
