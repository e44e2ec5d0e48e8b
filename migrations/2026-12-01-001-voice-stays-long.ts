import { sql, type Kysely } from 'kysely';

// Frozen once landed: change the schema with a new dated migration, never by editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Closed voice stays longer than 24 h, per guild: few (a member who left the client in a channel
  // for days), but they overlap stays that began long after them. `/privacy export` finds them here
  // for its co-presence totals instead of scanning every stay; the 24 h must match LONG_STAY_MS in
  // src/shared/services/privacy-export.ts (the query names this index, so a mismatch fails loudly).
  await db.schema
    .createIndex('voice_stays_long')
    .on('voice_stays')
    .columns(['guild_id', 'started_at'])
    .where(() => sql<boolean>`ended_at - started_at > 86400000`)
    .execute();
}
