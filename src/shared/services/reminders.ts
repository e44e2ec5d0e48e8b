import type { GuildOwner } from '../shards.js';
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { DateTime } from 'luxon';
import type { ReminderSentTable } from '../db/schema.js';
import { DiscordRequestError, isClosedDms } from '../discord/errors.js';
import { reminderHeader, renderReminder } from '../render/party-messages.js';
import type { Job } from '../scheduler.js';
import { slotEnd, type Slot } from '../time/slots.js';
import { comingBySlot } from './coming.js';
import { InFlight } from './in-flight.js';
import { NONCE_TRUST_MS, messageLink, slotsOfPost, type DailyPost } from './daily-post-row.js';
import type { PostMessagingDeps } from './post-messaging.js';
import { optedOutMembers } from './privacy.js';
import type { ReminderSettingsStore } from './reminder-settings.js';

export type ReminderRow = Selectable<ReminderSentTable>;

/**
 * When the reminder for `slot` is due: `minutes` of real time before the slot starts. The slot's start
 * comes from its wall-clock hour in the guild zone (`slotsFor`, Luxon), so on the night the clocks
 * change the reminder for 21:00 still fires at 21:00 − N local.
 */
export function reminderDue(slot: Pick<Slot, 'unix'>, minutes: number, zone: string): number {
  return DateTime.fromSeconds(slot.unix, { zone }).minus({ minutes }).toMillis();
}

/**
 * Reminder DMs: `minutes` before the first hour a member is coming for on today's message (clicked,
 * scheduled or seen in voice — the message's own predicate), with who else is coming then. One per
 * member per daily message, whatever changes after: the `reminders_sent` row is the intent, claimed
 * before the DM is sent and carrying the nonce sent with `enforce_nonce`, so a crash between the two
 * repeats the same create. A reminder that fell due while the bot was down is sent at the first tick
 * if its hour has not begun, else recorded as `dropped`. A DM refused with 50007 (closed DMs) is
 * logged once and the member is not tried again until they set a reminder again. Members who turned
 * tracking off are never reminded, nor named in another member's reminder.
 */
export class ReminderService implements Job {
  readonly name = 'reminders';
  private readonly inFlight = new InFlight();

  constructor(
    private readonly deps: PostMessagingDeps & {
      settings: ReminderSettingsStore;
      /** The guilds this process reminds for (a sharded gateway process: its shards'; default all). */
      owns?: GuildOwner;
    },
  ) {}

  /** The scheduler job: sends what is due (a late or doubled tick is harmless). */
  async run(now: number): Promise<void> {
    for (const guildId of await this.deps.settings.guildsWithReminders()) {
      if (this.deps.owns && !this.deps.owns(guildId)) continue;
      try {
        await this.runGuild(guildId, now);
      } catch (error) {
        this.deps.log.error({ err: error, guild: guildId }, 'reminders: could not run for a guild');
      }
    }
  }

  private async runGuild(guildId: string, now: number): Promise<void> {
    const post = await this.deps.posts.current(guildId);
    if (!post) return;
    const [wanted, rows, optedOut, coming] = await Promise.all([
      this.deps.settings.reminded(guildId),
      this.deps.db.selectFrom('reminders_sent').selectAll().where('guild_id', '=', guildId).where('date', '=', post.date).execute(),
      optedOutMembers(this.deps.db, guildId),
      comingBySlot(this.deps.db, post),
    ]);
    const known = new Map(rows.map((r) => [r.user_id, r]));
    const slots = slotsOfPost(post);
    for (const { userId, minutes } of wanted) {
      if (optedOut.has(userId)) continue;
      const row = known.get(userId);
      // A claim a crash left unsent: the same reminder, with the same nonce.
      if (row?.state === 'planned') await this.send(row, post, now);
      if (row) continue;
      const slot = slots.find((s) => coming.get(s.hour)?.includes(userId));
      // An evening already over (the morning before the next message) leaves nothing to send or drop.
      if (!slot || slotEnd(slot, post.timezone) * 1000 <= now) continue;
      const dueAt = reminderDue(slot, minutes, post.timezone);
      if (now < dueAt) continue;
      const claimed = await this.claim(post, userId, slot, dueAt, now);
      if (claimed) await this.send(claimed, post, now);
    }
  }

  /** The day's one row for the member: `planned`, or `dropped` when the hour has already begun. */
  private async claim(post: DailyPost, userId: string, slot: Slot, dueAt: number, now: number): Promise<ReminderRow | null> {
    const row: ReminderRow = {
      guild_id: post.guild_id,
      user_id: userId,
      date: post.date,
      hour: slot.hour,
      slot_unix: slot.unix,
      due_at: dueAt,
      nonce: `rm${randomBytes(10).toString('hex')}`,
      state: now >= slot.unix * 1000 ? 'dropped' : 'planned',
      created_at: now,
      sent_at: null,
    };
    const inserted = await this.deps.db
      .insertInto('reminders_sent')
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return null;
    if (row.state === 'dropped') this.deps.log.info({ guild: post.guild_id, user: userId, hour: slot.hour }, 'reminder dropped: its hour began before it could be sent');
    return row;
  }

  private async send(row: ReminderRow, post: DailyPost, now: number): Promise<void> {
    if (row.state !== 'planned') return;
    await this.inFlight.run(`${row.guild_id}:${row.user_id}:${row.date}`, () => this.sendOnce(row, post, now));
  }

  private async sendOnce(row: ReminderRow, post: DailyPost, now: number): Promise<void> {
    const { db, discord, log } = this.deps;
    const mark = (state: ReminderRow['state'], extra: { sent_at?: number } = {}) =>
      db
        .updateTable('reminders_sent')
        .set({ state, ...extra })
        .where('guild_id', '=', row.guild_id)
        .where('user_id', '=', row.user_id)
        .where('date', '=', row.date)
        .where('state', '=', 'planned')
        .execute();
    if (now >= row.slot_unix * 1000) {
      await mark('dropped');
      log.info({ guild: row.guild_id, user: row.user_id, hour: row.hour }, 'reminder dropped: its hour began before it could be sent');
      return;
    }
    const optedOut = await optedOutMembers(db, row.guild_id);
    const others = ((await comingBySlot(db, post)).get(row.hour) ?? []).filter((id) => id !== row.user_id);
    const named = others.filter((id) => !optedOut.has(id));
    const labels = await this.deps.labels.labels(row.guild_id, named);
    const content = renderReminder({
      slotUnix: row.slot_unix,
      others: named.map((id) => labels.get(id) ?? `<@${id}>`),
      othersTotal: others.length,
      link: post.message_id ? messageLink(post) : null,
    });
    try {
      const channelId = await discord.openDirectChannel(row.user_id);
      const found = now - row.created_at > NONCE_TRUST_MS && (await discord.findOwnMessage(channelId, reminderHeader(row.slot_unix), 20)) !== undefined;
      if (!found) await discord.createMessage(channelId, { content, nonce: row.nonce, enforceNonce: true });
      await mark('sent', { sent_at: this.deps.clock.now() });
      log.info({ guild: row.guild_id, user: row.user_id, hour: row.hour }, 'reminder sent');
    } catch (error) {
      if (isClosedDms(error)) {
        await mark('closed');
        await this.deps.settings.markDmsClosed(row.guild_id, row.user_id);
        log.info({ guild: row.guild_id, user: row.user_id }, 'reminder not sent: the member does not accept DMs (50007); not tried again until they set a reminder again');
        return;
      }
      if (error instanceof DiscordRequestError && error.permanent) {
        await mark('failed');
        log.warn({ guild: row.guild_id, user: row.user_id, err: error }, 'reminder refused by Discord; not retried');
        return;
      }
      throw error; // transient: stays `planned`, the next tick sends it (same nonce)
    }
  }
}
