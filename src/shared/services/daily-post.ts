import { EVERY_GUILD, type GuildOwner } from '../shards.js';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { NoAccessError, NotFoundError } from '../discord/errors.js';
import type { DiscordApi } from '../discord/rest.js';
import type { Logger } from '../logger.js';
import type { Job } from '../scheduler.js';
import { localDate, localTimeOn } from '../time/slots.js';
import { DailyPostReader, MESSAGE_DELETED, NONCE_TRUST_MS, slotsOfPost, type DailyPost, type PostChanged } from './daily-post-row.js';
import type { AvailabilityService } from './availability.js';
import type { GuildConfigService, GuildSettings } from './guild-config.js';
import type { DailyPostView } from './daily-post-view.js';

export { MESSAGE_DELETED, messageLink, slotsOfPost, type DailyPost, type PostChanged } from './daily-post-row.js';

/**
 * How many times a day a deleted daily message is replaced without being asked: enough for a
 * moderator's slip, few enough that a moderation bot deleting it on sight cannot make rollcall loop.
 * `/config post-now` replaces it whatever the count.
 */
export const MAX_AUTO_REPLACEMENTS = 3;

/**
 * The daily message's one button: a member on a schedule (or who clicked) takes themselves off
 * tonight without un-clicking hour by hour. The key alone identifies it; the message says which day.
 */
export const NOT_TONIGHT_BUTTON = { customId: 'not-tonight:', label: 'Not tonight', emoji: '🚫' } as const;

/**
 * Why the message cannot be posted, for a Discord refusal that retrying will not fix (no access or a
 * missing permission, the channel gone); undefined for a transient error, which stays `planned`.
 */
function postFailure(error: unknown): string | undefined {
  if (error instanceof NotFoundError && error.resource === 'channel') return 'the channel no longer exists';
  if (error instanceof NoAccessError) return 'missing access or permissions';
  return undefined;
}

export interface EnsureOptions {
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
export class DailyPostService extends DailyPostReader {
  private readonly inFlight = new Map<string, Promise<PostOutcome | null>>();

  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      discord: DiscordApi;
      clock: Clock;
      log: Logger;
      guildConfig: GuildConfigService;
      /** Seeds each new day from the schedules: the one writer of `availability`. */
      availability: Pick<AvailabilityService, 'seedFromSchedules'>;
      changed: PostChanged;
      view: DailyPostView;
    },
  ) {
    super(deps.db);
  }

  /**
   * The scheduler job: posts each configured guild's message once its post time has come — of the
   * guilds this process `owns` (a sharded gateway process: its shards'). The intent row written
   * before the create keeps it to one message even if two processes were to try.
   */
  job(owns: GuildOwner = EVERY_GUILD): Job {
    return {
      name: 'daily-post',
      run: async (now) => {
        for (const settings of await this.deps.guildConfig.listConfigured()) {
          if (!owns(settings.guildId)) continue;
          const date = localDate(now, settings.timezone);
          if (now < localTimeOn(date, settings.postTime, settings.timezone)) continue;
          await this.ensure(settings, date, { retryFailed: false, replaceGone: false });
        }
      },
    };
  }

  /**
   * The message of `post` is gone: plan its replacement (a fresh nonce, the guild's channel), or —
   * past the day's automatic replacements — record it as deleted. Only if the row still names that
   * message, so two processes learning it at once replace it once.
   */
  async replan(post: DailyPost, { manual }: { manual: boolean }): Promise<void> {
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
    this.deps.log.info(
      { guild: post.guild_id, date: post.date, replace: next.state === 'planned' },
      next.state === 'planned' ? 'replacing the deleted daily message' : 'the daily message was deleted again; waiting for /config post-now',
    );
  }

  /** Serialises work per guild and date so overlapping ticks never race each other. */
  ensure(settings: GuildSettings, date: string, options: EnsureOptions): Promise<PostOutcome | null> {
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
    // Planned again after a deletion (replan) but not yet posted: what this call posts replaces it.
    let replaced = post?.state === 'planned' && post.replacements > 0;
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
      await tx
        .insertInto('daily_posts')
        .values(row)
        .onConflict((oc) => oc.doNothing())
        .execute();
      await this.deps.availability.seedFromSchedules(tx, row);
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
          content: await this.deps.view.content(post),
          nonce: post.nonce,
          enforceNonce: true,
          buttons: [NOT_TONIGHT_BUTTON],
        })
      ).id;
      await db.updateTable('daily_posts').set({ state: 'posted', message_id: messageId, posted_at: clock.now() }).where('guild_id', '=', post.guild_id).where('date', '=', post.date).execute();
      log.info({ guild: post.guild_id, date: post.date, message: messageId }, 'daily message posted');
    } catch (error) {
      const reason = postFailure(error);
      if (reason) {
        log.error({ guild: post.guild_id, channel: post.channel_id, code: (error as NoAccessError | NotFoundError).code }, `cannot post the daily message: ${reason}`);
        await db.updateTable('daily_posts').set({ state: 'failed', error: reason }).where('guild_id', '=', post.guild_id).where('date', '=', post.date).execute();
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
    const header = (await this.deps.view.content(post)).split('\n')[0]!;
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
    await db.updateTable('daily_posts').set({ state: 'reacted' }).where('guild_id', '=', post.guild_id).where('date', '=', post.date).execute();
    return (await this.load(post.guild_id, post.date))!;
  }

  /** Asks the editor to bring the message up to date (coalesced with other changes). */
  touch(post: Pick<DailyPost, 'channel_id' | 'message_id'>): void {
    this.deps.changed(post);
  }
}
