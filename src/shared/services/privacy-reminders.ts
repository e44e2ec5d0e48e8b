import type { Db } from '../db/schema.js';

/** The reminder and party-alert tables, read and erased by name (see `privacy-tables.ts`). */
export const REMINDER_TABLES = ['reminder_settings', 'reminders_sent', 'party_alert_members'] as const;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** `/privacy export`: the member's reminder choices, the reminders sent, the party alerts that named them. */
export interface RemindersExport {
  reminder_settings: { minutes_before: number | null; party_mentions: boolean; dms_closed_at: string | null; updated_at: string | null } | null;
  /** One per daily message: the hour it was for and what became of it. */
  reminders: { date: string; hour: number; due_at: string | null; state: string; sent_at: string | null }[];
  /** Party alerts that named you, and whether they pinged you. */
  party_alerts: { date: string; hour: number; mentioned: boolean }[];
}

export async function exportReminders(db: Db, guildId: string, userId: string): Promise<RemindersExport> {
  const [settings, sent, alerts] = await Promise.all([
    db.selectFrom('reminder_settings').selectAll().where('guild_id', '=', guildId).where('user_id', '=', userId).executeTakeFirst(),
    db.selectFrom('reminders_sent').selectAll().where('guild_id', '=', guildId).where('user_id', '=', userId).orderBy('date').execute(),
    db.selectFrom('party_alert_members').selectAll().where('guild_id', '=', guildId).where('user_id', '=', userId).orderBy('date').orderBy('hour').execute(),
  ]);
  return {
    reminder_settings: settings ? { minutes_before: settings.minutes, party_mentions: settings.party === 1, dms_closed_at: iso(settings.dms_closed_at), updated_at: iso(settings.updated_at) } : null,
    reminders: sent.map((r) => ({ date: r.date, hour: r.hour, due_at: iso(r.due_at), state: r.state, sent_at: iso(r.sent_at) })),
    party_alerts: alerts.map((a) => ({ date: a.date, hour: a.hour, mentioned: a.mentioned === 1 })),
  };
}

/** Rows per table for `/privacy show` and what `/privacy erase` removed: reminder rows (settings + sent), alert mentions. */
export interface ReminderCounts {
  reminders: number;
  partyAlerts: number;
}

export async function countReminders(db: Db, guildId: string, userId: string): Promise<ReminderCounts> {
  const e = await exportReminders(db, guildId, userId);
  return { reminders: (e.reminder_settings ? 1 : 0) + e.reminders.length, partyAlerts: e.party_alerts.length };
}

/**
 * Deletes the member's rows of the three tables, in the caller's transaction. An alert's message
 * stays on Discord as posted (so does every message); the record that it named them goes.
 */
export async function eraseReminders(tx: Db, guildId: string, userId: string): Promise<ReminderCounts> {
  const del = async (table: (typeof REMINDER_TABLES)[number]) => Number((await tx.deleteFrom(table).where('guild_id', '=', guildId).where('user_id', '=', userId).executeTakeFirst()).numDeletedRows);
  const reminders = (await del('reminder_settings')) + (await del('reminders_sent'));
  return { reminders, partyAlerts: await del('party_alert_members') };
}

/** Retention: the guild's reminder and alert records of days before `cutoffDate`, in the caller's transaction. */
export async function purgeRemindersBefore(tx: Db, guildId: string, cutoffDate: string): Promise<void> {
  for (const table of ['reminders_sent', 'party_alert_members', 'party_alerts'] as const) await tx.deleteFrom(table).where('guild_id', '=', guildId).where('date', '<', cutoffDate).execute();
}
