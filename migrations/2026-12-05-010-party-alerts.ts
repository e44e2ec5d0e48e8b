import type { Kysely } from 'kysely';

// Frozen once landed: change the schema with a new dated migration, never by editing this one.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Per guild, the party-ready alert: off (size 0) until an admin sets `/config party <size> [role]`.
  await db.schema
    .createTable('party_settings')
    .addColumn('guild_id', 'text', (c) => c.primaryKey())
    .addColumn('size', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('role_id', 'text')
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .execute();

  // One alert per guild, local date and hour slot, ever: the row is the intent, claimed (with the
  // nonce sent as `enforce_nonce`) in a transaction before the create, like `daily_posts`.
  // planned → posted, or failed (no access, or the slot ended before it could be posted).
  await db.schema
    .createTable('party_alerts')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('hour', 'integer', (c) => c.notNull())
    .addColumn('slot_unix', 'integer', (c) => c.notNull())
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('coming', 'integer', (c) => c.notNull())
    .addColumn('role_id', 'text')
    .addColumn('message_id', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('posted_at', 'integer')
    .addPrimaryKeyConstraint('party_alerts_pk', ['guild_id', 'date', 'hour'])
    .execute();

  // Who an alert names, frozen at the claim so a retried create says the same; `mentioned` = pinged
  // (the member opted in). Members who turned tracking off are never in it (only counted).
  await db.schema
    .createTable('party_alert_members')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('hour', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('mentioned', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('party_alert_members_pk', ['guild_id', 'date', 'hour', 'user_id'])
    .execute();

  // Per member and guild: the DM reminder (`minutes` before their first hour; null = off), the party
  // alert opt-in, and when their DMs were found closed (50007): not tried again until they ask again.
  await db.schema
    .createTable('reminder_settings')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('minutes', 'integer')
    .addColumn('party', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('dms_closed_at', 'integer')
    .addColumn('updated_at', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('reminder_settings_pk', ['guild_id', 'user_id'])
    .execute();

  // One reminder per member per guild-local date of the daily message: the intent, claimed before the
  // DM is sent (with its nonce); planned → sent, or dropped (its hour began first), closed (50007),
  // failed (another refusal).
  await db.schema
    .createTable('reminders_sent')
    .addColumn('guild_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('hour', 'integer', (c) => c.notNull())
    .addColumn('slot_unix', 'integer', (c) => c.notNull())
    .addColumn('due_at', 'integer', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_at', 'integer', (c) => c.notNull())
    .addColumn('sent_at', 'integer')
    .addPrimaryKeyConstraint('reminders_sent_pk', ['guild_id', 'user_id', 'date'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['reminders_sent', 'reminder_settings', 'party_alert_members', 'party_alerts', 'party_settings']) await db.schema.dropTable(table).execute();
}
