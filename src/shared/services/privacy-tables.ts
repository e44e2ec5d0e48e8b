import { sql } from 'kysely';
import { isPostgres } from '../db/dialect-sql.js';
import type { Db } from '../db/schema.js';
import { REMINDER_TABLES } from './privacy-reminders.js';

/**
 * Tables whose rows about a member the privacy service reads and removes by name. Any other table
 * with a `user_id` column (one added after this list) is still exported and erased, generically:
 * see {@link otherMemberTables}.
 */
export const KNOWN_MEMBER_TABLES = new Set<string>(['availability', 'schedules', 'voice_stays', 'member_timezones', 'members', 'member_notices', 'privacy_opt_outs', ...REMINDER_TABLES]);

export interface MemberTable {
  name: string;
  /** Whether rows are per guild (then only this guild's rows are touched). */
  perGuild: boolean;
}

/**
 * Every table with a `user_id` column that {@link KNOWN_MEMBER_TABLES} does not cover, read from
 * `sqlite_master` (PostgreSQL: `information_schema`), so a table added by a later feature is never forgotten by export or erase.
 */
export async function otherMemberTables(db: Db): Promise<MemberTable[]> {
  if (isPostgres(db)) {
    // PostgreSQL: the columns of the tables in this database's schema (DATABASE_URL's `?schema=`).
    const { rows } = await sql<{ name: string; perGuild: boolean }>`
      select c.table_name as name,
             exists (select 1 from information_schema.columns g where g.table_schema = c.table_schema and g.table_name = c.table_name and g.column_name = 'guild_id') as "perGuild"
      from information_schema.columns c
      where c.table_schema = current_schema() and c.column_name = 'user_id'
      order by c.table_name`.execute(db);
    return rows.filter((r) => !KNOWN_MEMBER_TABLES.has(r.name)).map((r) => ({ name: r.name, perGuild: r.perGuild }));
  }
  const { rows } = await sql<{ name: string; perGuild: number }>`
    select m.name as name,
           exists (select 1 from pragma_table_info(m.name) g where g.name = 'guild_id') as perGuild
    from sqlite_master m
    where m.type = 'table'
      and m.name not like 'sqlite_%'
      and exists (select 1 from pragma_table_info(m.name) c where c.name = 'user_id')
    order by m.name`.execute(db);
  return rows.filter((r) => !KNOWN_MEMBER_TABLES.has(r.name)).map((r) => ({ name: r.name, perGuild: r.perGuild === 1 }));
}

function memberWhere(table: MemberTable, guildId: string, userId: string) {
  return table.perGuild ? sql`user_id = ${userId} and guild_id = ${guildId}` : sql`user_id = ${userId}`;
}

/** The member's rows of a table found by {@link otherMemberTables}. */
export async function readOtherRows(db: Db, table: MemberTable, guildId: string, userId: string): Promise<Record<string, unknown>[]> {
  const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)} where ${memberWhere(table, guildId, userId)}`.execute(db);
  return rows;
}

/** Deletes the member's rows of such a table; returns how many. */
export async function deleteOtherRows(db: Db, table: MemberTable, guildId: string, userId: string): Promise<number> {
  const result = await sql`delete from ${sql.table(table.name)} where ${memberWhere(table, guildId, userId)}`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}
