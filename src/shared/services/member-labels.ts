import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * How a member is named in the daily message. The default reads the member table and falls back
 * to a mention (Discord renders `<@id>` as the name for every viewer; replies never ping because
 * rollcall sends `allowed_mentions: { parse: [] }`). The member cache replaces it with one that
 * fetches unknown members and prefixes the rank emoji.
 */
export interface MemberLabels {
  labels(guildId: string, userIds: readonly string[]): Promise<Map<string, string>>;
}

export class StoredMemberLabels implements MemberLabels {
  constructor(private readonly db: Kysely<Database>) {}

  async labels(guildId: string, userIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>(userIds.map((id) => [id, `<@${id}>`]));
    if (userIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('members')
      .select(['user_id', 'display_name'])
      .where('guild_id', '=', guildId)
      .where('user_id', 'in', [...userIds])
      .execute();
    for (const row of rows) out.set(row.user_id, row.display_name);
    return out;
  }
}
