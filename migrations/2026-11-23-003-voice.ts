import { sql, type Kysely } from 'kysely';

// Frozen once landed: change the schema with a new dated migration, never by editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per member per stay in one voice channel. A move ends one stay and starts another.
  // `ended_at` null = still in voice. `end_estimated` = closed at the bot's last heartbeat after a
  // crash, not at a real leave. `afk` = the guild's AFK channel (tracked, never counted as play).
  await db.schema
    .createTable('voice_stays')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'integer', (c) => c.notNull())
    .addColumn('ended_at', 'integer')
    .addColumn('end_estimated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('afk', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('voice_stays_open').on('voice_stays').columns(['guild_id', 'user_id']).where(sql.ref('ended_at'), 'is', null).unique().execute();
  await db.schema.createIndex('voice_stays_time').on('voice_stays').columns(['guild_id', 'started_at']).execute();
  await db.schema.createIndex('voice_stays_user').on('voice_stays').columns(['guild_id', 'user_id', 'started_at']).execute();

  // Self/server mute and deafen inside a stay.
  await db.schema
    .createTable('voice_flag_intervals')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('stay_id', 'integer', (c) => c.notNull().references('voice_stays.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('mute', 'deaf')`))
    .addColumn('started_at', 'integer', (c) => c.notNull())
    .addColumn('ended_at', 'integer')
    .execute();
  await db.schema.createIndex('voice_flag_intervals_stay').on('voice_flag_intervals').column('stay_id').execute();

  // The bot's own liveness, one row per process role; a restart closes stays at the last beat.
  await db.schema
    .createTable('heartbeats')
    .addColumn('process', 'text', (c) => c.primaryKey())
    .addColumn('beat_at', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('member_timezones')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_timezones_pk', ['guild_id', 'user_id'])
    .execute();

  // The member cache's SQLite layer: display name, roles and avatar as last seen.
  await db.schema
    .createTable('members')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('avatar', 'text')
    .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('bot', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('fetched_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('members_pk', ['guild_id', 'user_id'])
    .execute();

  // Guild data from GUILD_CREATE and friends: AFK channel, roles (JSON: id, name, position), channels.
  await db.schema
    .createTable('guilds')
    .addColumn('guild_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('afk_channel_id', 'text')
    .addColumn('roles', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('channels', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('rank_emoji')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('role_id', 'text', (c) => c.notNull())
    .addColumn('emoji', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rank_emoji_pk', ['guild_id', 'role_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['rank_emoji', 'guilds', 'members', 'member_timezones', 'heartbeats', 'voice_flag_intervals', 'voice_stays']) {
    await db.schema.dropTable(table).execute();
  }
}
