import { EVERY_GUILD, type GuildOwner } from '../shards.js';
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { PartyAlertTable } from '../db/schema.js';
import { NoAccessError, NotFoundError } from '../discord/errors.js';
import { alertHeader, renderPartyAlert, type AlertMember } from '../render/party-messages.js';
import type { Job } from '../scheduler.js';
import { slotEnd, type Slot } from '../time/slots.js';
import { comingBySlot } from './coming.js';
import { InFlight } from './in-flight.js';
import { NONCE_TRUST_MS, slotsOfPost, type DailyPost } from './daily-post-row.js';
import type { PostMessagingDeps } from './post-messaging.js';
import type { PartySettings, PartySettingsStore } from './party-settings.js';
import { optedOutMembers } from './privacy.js';
import type { ReminderSettingsStore } from './reminder-settings.js';

export type PartyAlert = Selectable<PartyAlertTable>;

/**
 * A claim younger than this is left to the process that made it (it is posting); an older `planned`
 * row is a crash's leftover and the scheduler job posts it, with the same nonce.
 */
const CLAIM_GRACE_MS = 30_000;

/** Why an alert will never be posted: its slot ended first. */
export const ALERT_TOO_LATE = 'the hour was over before the alert could be posted';

/**
 * The party-ready alert: the first time today that `size` members are coming for the same hour, one
 * message in the daily channel names them — pinging only members who opted in (`/remind party on`)
 * and the configured role, with `allowed_mentions` limited to exactly those.
 *
 * Exactly once per guild, date and hour slot, whatever happens to the count after: the row in
 * `party_alerts` is claimed before the create (two processes: one insert wins) and
 * carries the nonce sent with `enforce_nonce`, so a restart after a crash retries the *same* create.
 * An un-click that drops the count under `size`, and a re-cross later (before or after the hour
 * starts), post nothing more: the alert said "the evening is happening", and a second one for the
 * same hour would be noise, never news. A slot that has ended gets no alert (it would only be noise).
 */
export class PartyAlertService {
  private readonly dirty = new Set<string>();
  private loop: Promise<void> | undefined;
  private readonly inFlight = new InFlight();

  constructor(
    private readonly deps: PostMessagingDeps & {
      settings: PartySettingsStore;
      mentions: Pick<ReminderSettingsStore, 'partyMentions'>;
    },
  ) {}

  /**
   * The availability change signal (`PostChanged`): checks the post's slots soon, off the caller's
   * path. Changes coalesce per message; checks run one at a time.
   */
  changed(post: Pick<DailyPost, 'message_id'>): void {
    if (!post.message_id) return;
    this.dirty.add(post.message_id);
    if (!this.loop) this.loop = this.drain();
  }

  /** Resolves once no change waits to be checked (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  /**
   * The scheduler job: checks each guild's current message (schedules seeded with no click), posts
   * claims left by a crash — of the guilds this process `owns` (a sharded gateway process: its shards').
   */
  job(owns: GuildOwner = EVERY_GUILD): Job {
    return {
      name: 'party-alerts',
      run: async (now) => {
        for (const guildId of await this.deps.settings.enabledGuilds()) {
          if (!owns(guildId)) continue;
          const post = await this.deps.posts.current(guildId);
          if (post) await this.check(post);
        }
        const leftovers = await this.deps.db
          .selectFrom('party_alerts')
          .selectAll()
          .where('state', '=', 'planned')
          .where('created_at', '<=', now - CLAIM_GRACE_MS)
          .execute();
        for (const alert of leftovers) if (owns(alert.guild_id)) await this.post(alert);
      },
    };
  }

  /** Claims and posts an alert for each open slot of `post` (today's message) that has reached the party size. */
  async check(post: DailyPost): Promise<void> {
    const settings = await this.deps.settings.get(post.guild_id);
    if (settings.size === 0) return;
    const current = await this.deps.posts.current(post.guild_id);
    if (!current || current.message_id !== post.message_id) return;
    const nowS = this.deps.clock.now() / 1000;
    const done = new Set((await this.deps.db.selectFrom('party_alerts').select('hour').where('guild_id', '=', post.guild_id).where('date', '=', post.date).execute()).map((r) => r.hour));
    const open = slotsOfPost(post).filter((s) => !done.has(s.hour) && slotEnd(s, post.timezone) > nowS);
    if (open.length === 0) return;
    const coming = await comingBySlot(this.deps.db, post);
    for (const slot of open) {
      const who = coming.get(slot.hour) ?? [];
      if (who.length < settings.size) continue;
      const alert = await this.claim(post, slot, who, settings);
      if (alert) await this.post(alert);
    }
  }

  /**
   * Writes the intent — one atomic insert, so of two processes (or two checks) exactly one wins —
   * then who it names. Null when the slot was claimed before. A single statement rather than a
   * transaction around both: a write transaction held across awaits would make the other process's
   * writer wait on it; a crash between the two statements is put right by {@link postOnce}.
   */
  private async claim(post: DailyPost, slot: Slot, who: readonly string[], settings: PartySettings): Promise<PartyAlert | null> {
    const row: PartyAlert = {
      guild_id: post.guild_id,
      date: post.date,
      hour: slot.hour,
      slot_unix: slot.unix,
      channel_id: post.channel_id,
      nonce: `pa${randomBytes(10).toString('hex')}`,
      state: 'planned',
      coming: who.length,
      role_id: settings.roleId,
      message_id: null,
      error: null,
      created_at: this.deps.clock.now(),
      posted_at: null,
    };
    const inserted = await this.deps.db
      .insertInto('party_alerts')
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return null;
    await this.name(row, who);
    this.deps.log.info({ guild: post.guild_id, date: post.date, hour: slot.hour, coming: who.length }, 'party alert claimed');
    return row;
  }

  /** Records who the alert names (not members who turned tracking off) and which of them it pings. */
  private async name(alert: PartyAlert, who: readonly string[]): Promise<void> {
    const [optedOut, mentions] = await Promise.all([optedOutMembers(this.deps.db, alert.guild_id), this.deps.mentions.partyMentions(alert.guild_id)]);
    const named = who.filter((id) => !optedOut.has(id));
    if (named.length === 0) return;
    await this.deps.db
      .insertInto('party_alert_members')
      .values(named.map((userId, position) => ({ guild_id: alert.guild_id, date: alert.date, hour: alert.hour, user_id: userId, position, mentioned: mentions.has(userId) ? 1 : 0 })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }

  /**
   * Creates the alert's message with its nonce (Discord returns the first message for a retried
   * one); a claim older than Discord's nonce memory is first looked for among recent messages.
   * Refused for good (no access, channel gone) or too late → `failed`; a transient error stays
   * `planned` for the job.
   */
  private post(alert: PartyAlert): Promise<void> {
    return this.inFlight.run(`${alert.guild_id}:${alert.date}:${alert.hour}`, () => this.postOnce(alert));
  }

  private async postOnce(alert: PartyAlert): Promise<void> {
    const { db, discord, clock, log } = this.deps;
    const where = (q: { guild_id: string; date: string; hour: number }) =>
      db.updateTable('party_alerts').where('guild_id', '=', q.guild_id).where('date', '=', q.date).where('hour', '=', q.hour).where('state', '=', 'planned');
    const post = await this.deps.posts.load(alert.guild_id, alert.date);
    const slot = post && slotsOfPost(post).find((s) => s.hour === alert.hour);
    if (!post || !slot || slotEnd(slot, post.timezone) * 1000 <= clock.now()) {
      await where(alert).set({ state: 'failed', error: ALERT_TOO_LATE }).execute();
      return;
    }
    const named = await this.named(alert, post);
    const content = renderPartyAlert({ slotUnix: alert.slot_unix, coming: alert.coming, named, roleId: alert.role_id });
    try {
      let messageId = clock.now() - alert.created_at > NONCE_TRUST_MS ? await discord.findOwnMessage(alert.channel_id, alertHeader(alert.slot_unix)) : undefined;
      messageId ??= (
        await discord.createMessage(alert.channel_id, {
          content,
          nonce: alert.nonce,
          enforceNonce: true,
          mentions: { users: named.filter((m) => m.mentioned).map((m) => m.userId), roles: alert.role_id ? [alert.role_id] : [] },
        })
      ).id;
      await where(alert).set({ state: 'posted', message_id: messageId, posted_at: clock.now() }).execute();
      log.info({ guild: alert.guild_id, date: alert.date, hour: alert.hour, message: messageId }, 'party alert posted');
    } catch (error) {
      if (!(error instanceof NoAccessError) && !(error instanceof NotFoundError)) throw error;
      log.error({ guild: alert.guild_id, channel: alert.channel_id, code: error.code }, 'cannot post the party alert');
      await where(alert).set({ state: 'failed', error: error.message }).execute();
    }
  }

  /** Who the alert names, with their labels; named from today's votes if a crash came between the claim and the naming. */
  private async named(alert: PartyAlert, post: DailyPost): Promise<AlertMember[]> {
    const read = () =>
      this.deps.db.selectFrom('party_alert_members').selectAll().where('guild_id', '=', alert.guild_id).where('date', '=', alert.date).where('hour', '=', alert.hour).orderBy('position').execute();
    let members = await read();
    if (members.length === 0 && alert.coming > 0) {
      await this.name(alert, (await comingBySlot(this.deps.db, post)).get(alert.hour)?.slice(0, alert.coming) ?? []);
      members = await read();
    }
    const labels = await this.deps.labels.labels(
      alert.guild_id,
      members.map((m) => m.user_id),
    );
    return members.map((m) => ({ userId: m.user_id, label: labels.get(m.user_id) ?? `<@${m.user_id}>`, mentioned: m.mentioned === 1 }));
  }

  private async drain(): Promise<void> {
    try {
      for (let next = this.dirty.values().next(); !next.done; next = this.dirty.values().next()) {
        this.dirty.delete(next.value);
        try {
          const post = await this.deps.posts.byMessage(next.value);
          if (post) await this.check(post);
        } catch (error) {
          // The job checks again on its next tick; a lost signal only delays the alert.
          this.deps.log.error({ err: error, message: next.value }, 'party alert: could not check the daily message');
        }
      }
    } finally {
      this.loop = undefined;
    }
  }
}
