import type { GuildOwner } from '../shards.js';
import { DateTime } from 'luxon';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { Job } from '../scheduler.js';
import type { DailyPost } from './daily-post.js';
import type { GuildConfigService } from './guild-config.js';
import type { MemberInfo } from './members.js';

/** A member seen in a payload this recently is as fresh as a fetch would make them. */
export const FRESH_ENOUGH_MS = 10 * 60_000;

export interface RankRefreshOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  guildConfig: GuildConfigService;
  /** Today's message of a guild, and asking the editor to re-render it. */
  posts: { current(guildId: string): Promise<DailyPost | undefined>; touch(post: DailyPost): void };
  /** The member cache, where what was fetched is stored (memory and the `members` table). */
  members: { remember(guildId: string, member: MemberInfo): Promise<void>; departed(guildId: string, userId: string): Promise<void> };
  /** REST `GET /guilds/{id}/members/{user}` after waiting for the guild's member-refresh token (the REST façade's limiter). */
  fetchMember: (guildId: string, userId: string) => Promise<MemberInfo | null>;
  /** The guilds this process refreshes (its shards'; default all): each guild once cluster-wide. */
  owns?: GuildOwner;
}

/**
 * Rank emoji follow promotions within the hour. Without the privileged members intent Discord sends
 * no event when a member's roles change, and the member cache re-fetches a member only after 12 h;
 * so for guilds with rank emoji, the members on today's message are fetched again when the message
 * is posted (the first tick that finds it) and once per guild-local hour after that — skipping anyone
 * a payload refreshed in the last {@link FRESH_ENOUGH_MS} — one request per token of the guild's
 * `member` bucket. If a name or a role changed, the message is re-rendered (coalesced like any edit).
 * The fetches run in the background, so a long list never holds up the daily post or the other jobs.
 * A member Discord no longer knows (10007) is left to the member cache's own rules.
 */
export class RankRefresh implements Job {
  readonly name = 'rank-refresh';
  /** Guild → `message id|local hour` already refreshed. */
  private readonly done = new Map<string, string>();
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly deps: RankRefreshOptions) {}

  async run(now: number): Promise<void> {
    if (this.running || this.stopping) return;
    const due: { post: DailyPost; key: string }[] = [];
    const guilds = await this.deps.db.selectFrom('rank_emoji').select('guild_id').distinct().execute();
    for (const { guild_id: guildId } of guilds) {
      if (this.deps.owns && !this.deps.owns(guildId)) continue;
      const post = await this.deps.posts.current(guildId);
      if (!post?.message_id) continue;
      const { timezone } = await this.deps.guildConfig.get(guildId);
      const key = `${post.message_id}|${DateTime.fromMillis(now, { zone: timezone }).toFormat("yyyy-MM-dd'T'HH")}`;
      if (this.done.get(guildId) !== key) due.push({ post, key });
    }
    if (due.length === 0) return;
    this.running = (async () => {
      for (const { post, key } of due) {
        try {
          await this.refresh(post);
          this.done.set(post.guild_id, key);
        } catch (error) {
          this.deps.log.warn({ err: error, guildId: post.guild_id }, 'rank refresh failed; trying again at the next tick');
        }
      }
    })().finally(() => (this.running = undefined));
  }

  /** Resolves when the refresh under way (if any) is over: for tests. */
  async idle(): Promise<void> {
    await this.running;
  }

  /** For shutdown: starts nothing more and ends the refresh under way after its current fetch. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** Fetches the members on `post` again; re-renders it when one of them changed. Returns how many changed. */
  async refresh(post: DailyPost): Promise<number> {
    const guildId = post.guild_id;
    const onMessage = await this.deps.db.selectFrom('availability').select('user_id').distinct().where('guild_id', '=', guildId).where('date', '=', post.date).execute();
    const userIds = onMessage.map((r) => r.user_id);
    if (userIds.length === 0) return 0;
    // What is stored (read here, not through the cache, which would fetch a stale member unbudgeted).
    const stored = await this.deps.db.selectFrom('members').select(['user_id', 'display_name', 'roles', 'fetched_at']).where('guild_id', '=', guildId).where('user_id', 'in', userIds).execute();
    const known = new Map(stored.map((r) => [r.user_id, r]));
    const cutoff = this.deps.clock.now() - FRESH_ENOUGH_MS;
    let changed = 0;
    for (const userId of userIds) {
      if (this.stopping) break;
      const before = known.get(userId);
      if (before && before.fetched_at >= cutoff) continue;
      const fetched = await this.deps.fetchMember(guildId, userId);
      if (!fetched) {
        // 10007: left the server. Off the message (the re-render below) and their schedule paused.
        await this.deps.members.departed(guildId, userId);
        changed++;
        continue;
      }
      await this.deps.members.remember(guildId, fetched);
      if (!before || before.display_name !== fetched.displayName || rolesKey(before.roles) !== [...fetched.roles].sort().join()) changed++;
    }
    if (changed > 0) {
      this.deps.log.info({ guildId, changed }, 'members on the daily message changed; re-rendering');
      this.deps.posts.touch(post);
    }
    return changed;
  }
}

/** A stored roles column (JSON array) as a comparable key. */
function rolesKey(json: string): string {
  try {
    const roles: unknown = JSON.parse(json);
    return Array.isArray(roles) ? roles.map(String).sort().join() : '';
  } catch {
    return '';
  }
}
