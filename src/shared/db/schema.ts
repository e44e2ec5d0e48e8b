import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * The one typed picture of the SQLite file. Every query is checked against it; every migration in
 * `migrations/` must leave the file in this shape. Times are unix milliseconds unless named `_s`.
 */
export interface Database {
  guild_config: GuildConfigTable;
}

export interface GuildConfigTable {
  guild_id: string;
  /** Text channel that receives the daily message; null until an admin picks one. */
  channel_id: string | null;
  /** IANA zone the guild's hours and post time are read in. */
  timezone: Generated<string>;
  /** First hour slot of the evening (0–23, guild time). */
  first_hour: Generated<number>;
  /** Last hour slot, inclusive; smaller than first_hour when the evening crosses midnight. */
  last_hour: Generated<number>;
  /** When the daily message is posted, `HH:MM` guild time. */
  post_time: Generated<string>;
  created_at: number;
  updated_at: number;
}

export type GuildConfigRow = Selectable<GuildConfigTable>;
export type NewGuildConfig = Insertable<GuildConfigTable>;
export type GuildConfigUpdate = Updateable<GuildConfigTable>;
