import type { Db } from '../db/schema.js';

/**
 * Records that what is stored about members of a guild changed (erase, opt-out/in, retention), so
 * chart data cached before the change is not reused (see `src/stats/scope.ts`).
 */
export async function bumpPrivacyGeneration(db: Db, guildId: string, now: number): Promise<void> {
  await db
    .insertInto('privacy_settings')
    .values({ guild_id: guildId, generation: 1, updated_at: now })
    .onConflict((oc) => oc.column('guild_id').doUpdateSet((eb) => ({ generation: eb('privacy_settings.generation', '+', 1), updated_at: now })))
    .execute();
}

/** The guild's current privacy generation (0 before any change): cached data of another one is stale. */
export async function readPrivacyGeneration(db: Db, guildId: string): Promise<number> {
  const row = await db.selectFrom('privacy_settings').select('generation').where('guild_id', '=', guildId).executeTakeFirst();
  return row?.generation ?? 0;
}
