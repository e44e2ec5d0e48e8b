import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { UserError } from '../errors.js';

/** A guild's party-ready alert: off (`size` 0) by default. */
export interface PartySettings {
  guildId: string;
  /** How many members coming for the same hour make a party; 0 = the alert is off. */
  size: number;
  /** The role pinged with the alert, besides the members who opted in. */
  roleId: string | null;
}

/** A party of one is no party; more than 25 rarely fits a voice channel's evening. */
export const PARTY_SIZE = { min: 2, max: 25 } as const;

/**
 * `/config party <size>`: a number of members, or `off` / `0`. The option is a string so that `off`
 * can be typed, which also means no range is declared to Discord: the range is checked here, with
 * a message that says what is accepted.
 */
export function parsePartySize(text: string): number {
  const value = text.trim().toLowerCase();
  if (value === 'off' || value === '0') return 0;
  if (!/^\d{1,3}$/.test(value) || Number(value) < PARTY_SIZE.min || Number(value) > PARTY_SIZE.max) {
    throw new UserError(`\`${text}\` is not a party size. Say how many members make a party, from ${PARTY_SIZE.min} to ${PARTY_SIZE.max}, or \`off\`.`);
  }
  return Number(value);
}

/** The party alert's settings per guild. */
export class PartySettingsStore {
  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock }) {}

  async get(guildId: string): Promise<PartySettings> {
    const row = await this.deps.db.selectFrom('party_settings').selectAll().where('guild_id', '=', guildId).executeTakeFirst();
    return { guildId, size: row?.size ?? 0, roleId: row?.role_id ?? null };
  }

  /**
   * Turns the alert on at `size` (checked), pinging `roleId` — each `/config party` says both, so
   * leaving the role out removes it — or off with size 0.
   */
  async set(guildId: string, size: number, roleId: string | null): Promise<PartySettings> {
    if (size !== 0 && (!Number.isInteger(size) || size < PARTY_SIZE.min || size > PARTY_SIZE.max)) {
      throw new UserError(`A party is ${PARTY_SIZE.min} to ${PARTY_SIZE.max} members (got ${size}); 0 turns the alert off.`);
    }
    if (roleId === guildId) throw new UserError('The alert never pings @everyone. Pick a role, or leave the role out to ping only the members who opted in.');
    const now = this.deps.clock.now();
    const change = { size, role_id: size === 0 ? null : roleId };
    await this.deps.db
      .insertInto('party_settings')
      .values({ guild_id: guildId, updated_at: now, ...change })
      .onConflict((oc) => oc.column('guild_id').doUpdateSet({ ...change, updated_at: now }))
      .execute();
    return this.get(guildId);
  }

  /** Guilds with the alert on. */
  async enabledGuilds(): Promise<string[]> {
    return (await this.deps.db.selectFrom('party_settings').select('guild_id').where('size', '>', 0).execute()).map((r) => r.guild_id);
  }
}
