import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import type { DailyPostTable, Database } from '../db/schema.js';
import type { MessageEditor } from '../discord/message-editor.js';
import { NoAccessError, NotFoundError } from '../discord/errors.js';
import type { DiscordApi, MessageEdit, MessageReaction } from '../discord/rest.js';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { renderDailyMessage, type SlotMember } from '../render/daily-message.js';
import type { Job } from '../scheduler.js';
import { localDate, localTimeOn, slotsFor, weekdayOf, type Slot } from '../time/slots.js';
import type { GuildConfigService, GuildSettings } from './guild-config.js';
import type { MemberLabels } from './member-labels.js';

export type DailyPost = Selectable<DailyPostTable>;

/** A `planned` row older than this may have lost its nonce's protection on Discord's side. */
const NONCE_TRUST_MS = 2 * 60_000;

/**
 * How many times a day a deleted daily message is replaced without being asked: enough for a
 * moderator's slip, few enough that a moderation bot deleting it on sight cannot make rollcall loop.
 * `/config post-now` replaces it whatever the count.
 */
export const MAX_AUTO_REPLACEMENTS = 3;

/** The `error` of a post whose message was deleted and not (yet) replaced. */
export const MESSAGE_DELETED = 'the daily message was deleted';

/**
 * Why the message cannot be posted, for a Discord refusal that retrying will not fix (no access or a
 * missing permission, the channel gone); undefined for a transient error, which stays `planned`.
 */
function postFailure(error: unknown): string | undefined {
  if (error instanceof NotFoundError && error.resource === 'channel') return 'the channel no longer exists';
  if (error instanceof NoAccessError) return 'missing access or permissions';
  return undefined;
}

interface EnsureOptions {
  /** Retry a post that failed for good (permissions fixed since). */
  retryFailed: boolean;
  /** Replace a message deleted mid-post even past the day's automatic replacements (an admin asked). */
  replaceGone: boolean;
}

/** Adding a reaction needs Read Message History, and Add Reactions for an emoji nobody has used yet. */
export const REACTION_PERMISSIONS_REASON = 'missing the Add Reactions or Read Message History permission';

/**
 * Why the hour reactions could not be added, for a Discord error that retrying will not fix; undefined
 * for a transient error (5xx, network), which stays `posted` for the next tick.
 * @see https://discord.com/developers/docs/resources/message#create-reaction
 */
function reactionFailure(error: unknown): { reason: string; messageGone: boolean } | undefined {
  if (error instanceof NoAccessError) {
    return error.kind === 'missing-access'
      ? { reason: 'missing access to the channel (View Channel or Read Message History)', messageGone: false }
      : { reason: REACTION_PERMISSIONS_REASON, messageGone: false };
  }
  if (error instanceof NotFoundError && error.resource === 'message') return { reason: MESSAGE_DELETED, messageGone: true };
  if (error instanceof NotFoundError && error.resource === 'channel') return { reason: 'the channel no longer exists', messageGone: true };
  return undefined;
}

const newNonce = () => `rc${randomBytes(10).toString('hex')}`;

export function slotsOfPost(post: Pick<DailyPost, 'date' | 'timezone' | 'first_hour' | 'last_hour'>): Slot[] {
  return slotsFor(post.date, post.timezone, post.first_hour, post.last_hour);
}

export function messageLink(post: Pick<DailyPost, 'guild_id' | 'channel_id' | 'message_id'>): string {
  return `https://discord.com/channels/${post.guild_id}/${post.channel_id}/${post.message_id}`;
}

export interface PostOutcome {
  post: DailyPost;
  /** True when this call created or finished the post; false when it already existed. */
  created: boolean;
  /** True when the message had been deleted and this call posted a replacement. */
  replaced?: boolean;
  /** Clock reactions that were missing from an existing message and were put back. */
  clocksRestored?: number;
}

/**
 * Exactly one daily message per guild per local date. The intent is written to SQLite first
 * (`planned`, with a nonce) and the message is created with `nonce` + `enforce_nonce`, so a crash
 * at any point followed by a restart retries the *same* create and Discord returns the first
 * message instead of a second one. Reactions are added after (`posted` → `reacted`).
 * @see https://discord.com/developers/docs/resources/message#create-message
 */
export class DailyPostService {
  private readonly inFlight = new Map<string, Promise<PostOutcome | null>>();

  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      discord: DiscordApi;
      clock: Clock;
      log: Logger;
      guildConfig: GuildConfigService;
      editor: () => MessageEditor;
      labels: () => MemberLabels;
    },
  ) {}

  /** The guild's current message: the newest one that exists on Discord. */
  async current(guildId: string): Promise<DailyPost | undefined> {
    return this.deps.db
      .selectFrom('daily_posts')
      .selectAll()
      .where('guild_id', '=', guildId)
      .where('message_id', 'is not', null)
      .orderBy('date', 'desc')
      .limit(1)
      .executeTakeFirst();
  }

  async byMessage(messageId: string): Promise<DailyPost | undefined> {
    return this.deps.db.selectFrom('daily_posts').selectAll().where('message_id', '=', messageId).executeTakeFirst();
  }

  /** The scheduler job: posts each configured guild's message once its post time has come. */
  job(): Job {
    return {
      name: 'daily-post',
      run: async (now) => {
        for (const settings of await this.deps.guildConfig.listConfigured()) {
          const date = localDate(now, settings.timezone);
          if (now < localTimeOn(date, settings.postTime, settings.timezone)) continue;
          await this.ensure(settings, date, { retryFailed: false, replaceGone: false });
        }
      },
    };
  }

  /**
   * `/config post-now`: today's message, posted now if missing (a failed attempt is retried). A
   * message that was deleted is replaced (votes kept); missing clock reactions are put back.
   */
  async postNow(guildId: string): Promise<PostOutcome> {
    const settings = await this.deps.guildConfig.get(guildId);
    if (!settings.channelId) throw new UserError('Pick a channel first with `/config channel`.');
    const date = localDate(this.deps.clock.now(), settings.timezone);
    const checked = await this.checkOnDiscord(await this.load(guildId, date));
    const outcome = await this.ensure(settings, date, { retryFailed: true, replaceGone: true });
    if (!outcome) throw new UserError('Could not post today’s message.');
    const { post } = outcome;
    if (post.state === 'failed' && post.message_id) {
      throw new UserError(
        `Today's message is posted (${messageLink(post)}), but I can't add the hour reactions in <#${post.channel_id}>: ${post.error}. Give me Add Reactions and Read Message History there, then run \`/config post-now\` again to finish them.`,
      );
    }
    if (post.state === 'failed') {
      throw new UserError(`I can't post in <#${post.channel_id}>: ${post.error}. Check my permissions there (View Channel, Send Messages, Add Reactions, Read Message History).`);
    }
    return { ...outcome, replaced: checked.gone || outcome.replaced === true, clocksRestored: checked.restored };
  }

  /**
   * For `/config post-now`: whether today's message is still on Discord (a deletion reaches a bot
   * without the messages intent only this way) and, if it is, puts back any clock reaction a
   * moderator removed. A deleted message's row is set to be posted again.
   */
  private async checkOnDiscord(post: DailyPost | undefined): Promise<{ gone: boolean; restored: number }> {
    if (!post?.message_id || post.state === 'planned') return { gone: false, restored: 0 };
    let present: MessageReaction[];
    try {
      present = await this.deps.discord.getMessageReactions(post.channel_id, post.message_id);
    } catch (error) {
      if (error instanceof NotFoundError && (error.resource === 'message' || error.resource === 'channel')) {
        await this.replan(post, { manual: true });
        return { gone: true, restored: 0 };
      }
      throw error;
    }
    if (post.state !== 'reacted') return { gone: false, restored: 0 };
    const ours = new Set(present.filter((r) => r.me).map((r) => r.emoji));
    const missing = slotsOfPost(post).filter((slot) => !ours.has(slot.emoji));
    for (const slot of missing) await this.deps.discord.addOwnReaction(post.channel_id, post.message_id, slot.emoji);
    if (missing.length > 0) await this.resetReactions(post);
    return { gone: false, restored: missing.length };
  }

  /**
   * The editor (or a reaction) found `messageId` gone from Discord (10008). If it was the guild's
   * current daily message it is posted again, with the votes from the database, up to
   * {@link MAX_AUTO_REPLACEMENTS} times a day; after that `/config show` says so and
   * `/config post-now` replaces it.
   */
  async messageGone(messageId: string): Promise<void> {
    const post = await this.byMessage(messageId);
    if (!post) return;
    const current = await this.current(post.guild_id);
    if (current?.message_id !== messageId) return; // an older day's message: nothing to vote on
    this.deps.log.warn({ guild: post.guild_id, date: post.date, message: messageId }, 'the daily message was deleted');
    await this.replan(post, { manual: false });
    const settings = await this.deps.guildConfig.get(post.guild_id);
    await this.ensure(settings, post.date, { retryFailed: false, replaceGone: false });
  }

  /**
   * A moderator removed all reactions of the current message, or all of one emoji
   * (MESSAGE_REACTION_REMOVE_ALL / _EMOJI): the clocks go back on, the votes stay (they are in the
   * database), and the message says how to take a vote back now that its reaction is gone.
   * @see https://discord.com/developers/docs/events/gateway-events#message-reaction-remove-all
   */
  async reactionsCleared(guildId: string, messageId: string, emoji?: string): Promise<number> {
    const post = await this.current(guildId);
    if (!post?.message_id || post.message_id !== messageId || post.state !== 'reacted') return 0;
    const slots = slotsOfPost(post).filter((slot) => emoji === undefined || slot.emoji === emoji);
    if (slots.length === 0) return 0;
    await this.resetReactions(post);
    let restored = 0;
    for (const slot of slots) {
      try {
        await this.deps.discord.addOwnReaction(post.channel_id, messageId, slot.emoji);
        restored++;
      } catch (error) {
        this.deps.log.warn({ err: error, guild: guildId, message: messageId }, 'could not put a clock reaction back');
      }
    }
    this.deps.log.info({ guild: guildId, message: messageId, restored }, 'clock reactions put back after a moderator removed them');
    return restored;
  }

  /** Records that the reactions no longer show every vote, and re-renders (the message says so). */
  private async resetReactions(post: DailyPost): Promise<void> {
    await this.deps.db
      .updateTable('daily_posts')
      .set({ reactions_reset_at: this.deps.clock.now() })
      .where('guild_id', '=', post.guild_id)
      .where('date', '=', post.date)
      .execute();
    this.touch(post);
  }

  /**
   * The message of `post` is gone: plan its replacement (a fresh nonce, the guild's channel), or —
   * past the day's automatic replacements — record it as deleted. Only if the row still names that
   * message, so two processes learning it at once replace it once.
   */
  private async replan(post: DailyPost, { manual }: { manual: boolean }): Promise<void> {
    const now = this.deps.clock.now();
    const settings = await this.deps.guildConfig.get(post.guild_id);
    const next =
      manual || post.replacements < MAX_AUTO_REPLACEMENTS
        ? ({ state: 'planned', nonce: newNonce(), created_at: now, channel_id: settings.channelId ?? post.channel_id, replacements: post.replacements + 1 } as const)
        : ({ state: 'failed' } as const);
    await this.deps.db
      .updateTable('daily_posts')
      .set({ ...next, message_id: null, posted_at: null, error: next.state === 'failed' ? MESSAGE_DELETED : null, reactions_reset_at: now })
      .where('guild_id', '=', post.guild_id)
      .where('date', '=', post.date)
      .where('message_id', '=', post.message_id)
      .execute();
    this.deps.log.info({ guild: post.guild_id, date: post.date, replace: next.state === 'planned' }, next.state === 'planned' ? 'replacing the deleted daily message' : 'the daily message was deleted again; waiting for /config post-now');
  }

  /** Serialises work per guild and date so overlapping ticks never race each other. */
  private ensure(settings: GuildSettings, date: string, options: EnsureOptions): Promise<PostOutcome | null> {
    const key = `${settings.guildId}:${date}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const work = this.ensureOnce(settings, date, options).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, work);
    return work;
  }

  private async ensureOnce(settings: GuildSettings, date: string, options: EnsureOptions): Promise<PostOutcome | null> {
    let post = await this.load(settings.guildId, date);
    let created = false;
    let replaced = false;
    if (!post) {
      post = await this.plan(settings, date);
      created = true;
    } else if (post.state === 'failed') {
      if (!options.retryFailed) return { post, created: false };
      replaced = post.error === MESSAGE_DELETED;
      // Posted but without its reactions: finish the reactions on that message. Never posted (or the
      // message is gone): plan a fresh create in the configured channel, with a nonce never sent before.
      const retry = post.message_id
        ? ({ state: 'posted', error: null } as const)
        : ({ state: 'planned', error: null, channel_id: settings.channelId!, nonce: newNonce(), created_at: this.deps.clock.now() } as const);
      await this.deps.db.updateTable('daily_posts').set(retry).where('guild_id', '=', post.guild_id).where('date', '=', date).execute();
      post = (await this.load(settings.guildId, date))!;
    }
    // At most one replacement per call: a message deleted again at once waits for the next one.
    for (let round = 0; round < 2; round++) {
      if (post.state === 'planned') {
        post = await this.create(post);
        created = true;
        if (post.state === 'failed') return { post, created, replaced };
      }
      if (post.state !== 'posted') break;
      const reacted = await this.addReactions(post);
      created = true;
      if (reacted !== 'message-gone') {
        post = reacted;
        break;
      }
      // Deleted between the create and its reactions: posted again, the same as a deletion found later.
      await this.replan(post, { manual: options.replaceGone });
      post = (await this.load(settings.guildId, date))!;
      replaced = post.state === 'planned';
    }
    return { post, created, replaced };
  }

  private async load(guildId: string, date: string): Promise<DailyPost | undefined> {
    return this.deps.db.selectFrom('daily_posts').selectAll().where('guild_id', '=', guildId).where('date', '=', date).executeTakeFirst();
  }

  /** Writes the intent and seeds the scheduled members, in one transaction. */
  private async plan(settings: GuildSettings, date: string): Promise<DailyPost> {
    const now = this.deps.clock.now();
    const row = {
      guild_id: settings.guildId,
      date,
      channel_id: settings.channelId!,
      // Discord accepts nonces up to 25 characters.
      nonce: newNonce(),
      state: 'planned' as const,
      message_id: null,
      timezone: settings.timezone,
      first_hour: settings.firstHour,
      last_hour: settings.lastHour,
      error: null,
      created_at: now,
      posted_at: null,
      reactions_reset_at: null,
    };
    await this.deps.db.transaction().execute(async (tx) => {
      await tx.insertInto('daily_posts').values(row).onConflict((oc) => oc.doNothing()).execute();
      // Schedules are per evening: the weekday of the message's date, whatever side of midnight.
      const hours = slotsOfPost(row).map((s) => s.hour);
      await tx
        .insertInto('availability')
        .columns(['guild_id', 'date', 'user_id', 'hour', 'declared', 'updated_at'])
        .expression((eb) =>
          eb
            .selectFrom('schedules')
            .select([
              eb.val(settings.guildId).as('guild_id'),
              eb.val(date).as('date'),
              'user_id',
              'hour',
              eb.val('schedule').as('declared'),
              eb.val(now).as('updated_at'),
            ])
            .where('guild_id', '=', settings.guildId)
            .where('weekday', '=', weekdayOf(date))
            .where('hour', 'in', hours),
        )
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
    this.deps.log.info({ guild: settings.guildId, date }, 'daily message planned');
    return (await this.load(settings.guildId, date))!;
  }

  private async create(post: DailyPost): Promise<DailyPost> {
    const { db, discord, log, clock } = this.deps;
    try {
      let messageId: string | undefined;
      if (clock.now() - post.created_at > NONCE_TRUST_MS) messageId = await this.findExisting(post);
      messageId ??= (
        await discord.createMessage(post.channel_id, {
          content: await this.content(post),
          nonce: post.nonce,
          enforceNonce: true,
        })
      ).id;
      await db
        .updateTable('daily_posts')
        .set({ state: 'posted', message_id: messageId, posted_at: clock.now() })
        .where('guild_id', '=', post.guild_id)
        .where('date', '=', post.date)
        .execute();
      log.info({ guild: post.guild_id, date: post.date, message: messageId }, 'daily message posted');
    } catch (error) {
      const reason = postFailure(error);
      if (reason) {
        log.error({ guild: post.guild_id, channel: post.channel_id, code: (error as NoAccessError | NotFoundError).code }, `cannot post the daily message: ${reason}`);
        await db
          .updateTable('daily_posts')
          .set({ state: 'failed', error: reason })
          .where('guild_id', '=', post.guild_id)
          .where('date', '=', post.date)
          .execute();
      } else {
        // Transient (network, 5xx): stay `planned`; the next tick retries with the same nonce.
        throw error;
      }
    }
    return (await this.load(post.guild_id, post.date))!;
  }

  /**
   * Discord only remembers nonces for a few minutes. For an older `planned` row, look for a
   * message we may already have posted (ours, with this date's header) before creating one.
   */
  private async findExisting(post: DailyPost): Promise<string | undefined> {
    const header = (await this.content(post)).split('\n')[0]!;
    const recent = await this.deps.discord.getMessages(post.channel_id, { limit: 50 });
    return recent.find((m) => m.authorId === this.deps.discord.applicationId && m.content.startsWith(header))?.id;
  }

  /**
   * Adds one reaction per slot (PUT is idempotent, so a retry after a crash is harmless). When Discord
   * refuses for good (no access, missing permission, message or channel gone) the row becomes `failed`
   * with the reason — keeping the message id when the message is still there — so the scheduler stops
   * retrying and `/config post-now` can finish the reactions once the permissions are fixed.
   */
  private async addReactions(post: DailyPost): Promise<DailyPost | 'message-gone'> {
    const { db, discord, log } = this.deps;
    try {
      for (const slot of slotsOfPost(post)) {
        await discord.addOwnReaction(post.channel_id, post.message_id!, slot.emoji);
      }
    } catch (error) {
      const failure = reactionFailure(error);
      if (!failure) throw error; // transient: stays `posted`, the next tick retries
      if (failure.reason === MESSAGE_DELETED) return 'message-gone';
      log.error({ guild: post.guild_id, channel: post.channel_id, message: post.message_id, err: error }, `cannot add the hour reactions: ${failure.reason}`);
      await db
        .updateTable('daily_posts')
        .set({ state: 'failed', error: failure.reason, ...(failure.messageGone ? { message_id: null } : {}) })
        .where('guild_id', '=', post.guild_id)
        .where('date', '=', post.date)
        .execute();
      return (await this.load(post.guild_id, post.date))!;
    }
    await db
      .updateTable('daily_posts')
      .set({ state: 'reacted' })
      .where('guild_id', '=', post.guild_id)
      .where('date', '=', post.date)
      .execute();
    return (await this.load(post.guild_id, post.date))!;
  }

  /** The `/config show` line about the latest daily message, with what went wrong if anything did. */
  async statusLine(guildId: string): Promise<string> {
    const post = await this.current(guildId);
    const failed = await this.deps.db
      .selectFrom('daily_posts')
      .select(['date', 'error', 'channel_id'])
      .where('guild_id', '=', guildId)
      .where('state', '=', 'failed')
      .where('message_id', 'is', null)
      .orderBy('date', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (failed && (!post || failed.date > post.date) && failed.error === MESSAGE_DELETED) {
      return `Last daily message (${failed.date}): ⚠️ deleted in <#${failed.channel_id}>, and not replaced again today. \`/config post-now\` posts a new one (the votes are kept).`;
    }
    if (failed && (!post || failed.date > post.date)) {
      return `Last daily message (${failed.date}): ⚠️ not posted in <#${failed.channel_id}>: ${failed.error}. Fix my permissions, then \`/config post-now\`.`;
    }
    if (!post) return 'No daily message posted yet.';
    if (post.state === 'failed') {
      return `Latest daily message (${post.date}): ${messageLink(post)} ⚠️ posted, but the hour reactions are missing: ${post.error}. Fix my permissions in <#${post.channel_id}>, then \`/config post-now\`.`;
    }
    return `Latest daily message (${post.date}): ${messageLink(post)}`;
  }

  /** Asks the editor to bring the message up to date (coalesced with other changes). */
  touch(post: Pick<DailyPost, 'channel_id' | 'message_id'>): void {
    if (post.message_id) this.deps.editor().markDirty(post.channel_id, post.message_id);
  }

  /** The message text for the post's current state. */
  async content(post: DailyPost): Promise<string> {
    const rows = await this.deps.db
      .selectFrom('availability')
      .select(['user_id', 'hour', 'declared', 'seen_in_voice'])
      .where('guild_id', '=', post.guild_id)
      .where('date', '=', post.date)
      .orderBy('updated_at')
      .orderBy('user_id')
      .execute();
    const members = new Map<number, SlotMember[]>();
    for (const r of rows) {
      const list = members.get(r.hour) ?? [];
      list.push({ userId: r.user_id, declared: r.declared, seenInVoice: r.seen_in_voice === 1 });
      members.set(r.hour, list);
    }
    const userIds = [...new Set(rows.map((r) => r.user_id))];
    const labels = await this.deps.labels().labels(post.guild_id, userIds);
    return renderDailyMessage({ date: post.date, zone: post.timezone, slots: slotsOfPost(post), members, labels, reactionsResetAt: post.reactions_reset_at });
  }

  /** For the message editor: what the message with this id should say now. */
  async renderById(messageId: string): Promise<MessageEdit | null> {
    const post = await this.byMessage(messageId);
    return post ? { content: await this.content(post) } : null;
  }
}
