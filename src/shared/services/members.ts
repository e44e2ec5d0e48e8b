import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { GuildCache } from './guilds.js';
import { LruCache } from './lru.js';
import type { MemberLabels } from './member-labels.js';
import { pickRankEmoji, type RankEmojiService } from './rank-emoji.js';

/** A guild member as rollcall needs it; the gateway and HTTP edges build it from Discord's payloads. */
export interface MemberInfo {
  userId: string;
  /** nick ?? global_name ?? username. */
  displayName: string;
  roles: string[];
  avatar: string | null;
  bot: boolean;
}

export interface MemberCacheOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  guilds: GuildCache;
  ranks: RankEmojiService;
  /** REST `GET /guilds/{id}/members/{user}`: null when the user is not in the guild. */
  fetchMember: (guildId: string, userId: string) => Promise<MemberInfo | null>;
  /** After this a member is re-fetched from REST (its stored copy is still used if that fails). Default 12 h. */
  staleAfterMs?: number;
  /** How long "not in this guild" is believed before asking again. Default 1 h. */
  unknownForMs?: number;
  /** Members kept in memory. Default 5 000 (a 10 000-member guild's evening needs a few hundred). */
  maxEntries?: number;
  /** How often a remembered member is compared with SQLite, where the other process writes too. Default 10 min. */
  recheckMs?: number;
}

interface Entry {
  /** null = Discord said the user is not in the guild. */
  member: MemberInfo | null;
  /** When this copy was fetched or seen in a payload. */
  at: number;
  /** When memory last compared it with SQLite (another process may have stored a newer copy). */
  checkedAt: number;
}

/**
 * Members by guild: memory (LRU) over the `members` table over REST. Payloads that carry a member
 * (voice states, reactions, interactions, GUILD_CREATE) refresh it for free; REST is asked only
 * for a member never seen or seen too long ago, and concurrent misses for the same member share one
 * request. This is what keeps a burst of reactions from costing a member fetch per click.
 * @see https://discord.com/developers/docs/resources/guild#get-guild-member
 */
export class MemberCache implements MemberLabels {
  private readonly memory: LruCache<Entry>;
  private readonly inflight = new Map<string, Promise<MemberInfo | null>>();
  private readonly staleAfterMs: number;
  private readonly unknownForMs: number;
  private readonly recheckMs: number;

  constructor(private readonly deps: MemberCacheOptions) {
    this.staleAfterMs = deps.staleAfterMs ?? 12 * 3_600_000;
    this.unknownForMs = deps.unknownForMs ?? 3_600_000;
    this.recheckMs = deps.recheckMs ?? 10 * 60_000;
    // Freshness is judged per entry below. The LRU bounds the count, and lets go of a copy once it is
    // stale (SQLite keeps it as the fallback when REST fails), so idle memory does not hold members
    // seen once hours ago.
    this.memory = new LruCache({ max: deps.maxEntries ?? 5_000, ttlMs: Math.max(this.staleAfterMs, this.unknownForMs), clock: deps.clock });
  }

  /** Records a member as a payload showed it just now. */
  async remember(guildId: string, member: MemberInfo): Promise<void> {
    const key = keyOf(guildId, member.userId);
    const now = this.deps.clock.now();
    const known = this.memory.get(key);
    // A burst of events from one member rewrites nothing until the stored copy ages.
    if (known?.member && sameMember(known.member, member) && now - known.at < this.staleAfterMs / 4) return;
    this.memory.set(key, { member: { ...member, roles: [...member.roles] }, at: now, checkedAt: now });
    const row = {
      guild_id: guildId,
      user_id: member.userId,
      display_name: member.displayName,
      avatar: member.avatar,
      roles: JSON.stringify(member.roles),
      bot: member.bot ? 1 : 0,
      fetched_at: now,
    };
    await this.deps.db
      .insertInto('members')
      .values(row)
      .onConflict((oc) => oc.columns(['guild_id', 'user_id']).doUpdateSet({ display_name: row.display_name, avatar: row.avatar, roles: row.roles, bot: row.bot, fetched_at: now }))
      .execute();
    // Seen in a payload or fetched: in the guild (again), so their schedule applies once more.
    await this.deps.db.deleteFrom('departed_members').where('guild_id', '=', guildId).where('user_id', '=', member.userId).execute();
  }

  /** The member, or null when Discord says the user is not in the guild (or nothing is known and REST failed). */
  async get(guildId: string, userId: string): Promise<MemberInfo | null> {
    const key = keyOf(guildId, userId);
    const hit = this.memory.get(key);
    if (hit && this.fresh(hit) && (hit.member === null || this.deps.clock.now() - hit.checkedAt < this.recheckMs)) return hit.member;
    const running = this.inflight.get(key);
    if (running) return running;
    const load = this.load(guildId, userId, hit).finally(() => this.inflight.delete(key));
    this.inflight.set(key, load);
    return load;
  }

  /** Names for the daily message: rank emoji + display name, or a mention for members not found. */
  async labels(guildId: string, userIds: readonly string[]): Promise<Map<string, string>> {
    const unique = [...new Set(userIds)];
    const [members, mappings] = await Promise.all([Promise.all(unique.map((id) => this.get(guildId, id))), this.deps.ranks.list(guildId)]);
    const roles = mappings.length > 0 ? await this.deps.guilds.roles(guildId) : [];
    const out = new Map<string, string>();
    unique.forEach((id, i) => {
      const member = members[i];
      if (!member) {
        out.set(id, `<@${id}>`);
        return;
      }
      const emoji = pickRankEmoji(member.roles, mappings, roles);
      const name = escapeMarkdown(member.displayName);
      out.set(id, emoji ? `${emoji} ${name}` : name);
    });
    return out;
  }

  private fresh(entry: Entry): boolean {
    const age = this.deps.clock.now() - entry.at;
    return age < (entry.member ? this.staleAfterMs : this.unknownForMs);
  }

  private async load(guildId: string, userId: string, known: Entry | undefined): Promise<MemberInfo | null> {
    const key = keyOf(guildId, userId);
    const now = this.deps.clock.now();
    let best = known?.member ? known : undefined;
    if (!known?.member || !this.fresh(known) || now - known.checkedAt >= this.recheckMs) {
      const row = await this.deps.db.selectFrom('members').selectAll().where('guild_id', '=', guildId).where('user_id', '=', userId).executeTakeFirst();
      if (row && (!best || row.fetched_at >= best.at)) {
        best = { member: { userId, displayName: row.display_name, roles: parseRoles(row.roles), avatar: row.avatar, bot: row.bot === 1 }, at: row.fetched_at, checkedAt: now };
      }
    }
    if (best && this.fresh(best)) {
      this.memory.set(key, { ...best, checkedAt: now });
      return best.member;
    }
    const fallback = best;
    let fetched: MemberInfo | null;
    try {
      fetched = await this.deps.fetchMember(guildId, userId);
    } catch (error) {
      this.deps.log.warn({ err: error, guildId, userId }, 'member fetch failed; using what is known');
      return fallback?.member ?? null;
    }
    if (fetched) {
      await this.remember(guildId, fetched);
      return fetched;
    }
    await this.departed(guildId, userId);
    return null;
  }

  /**
   * Discord said the user is not in the guild (10007): forget their profile and record the departure,
   * which pauses their schedule and leaves them off the daily message until a payload shows them again.
   */
  async departed(guildId: string, userId: string): Promise<void> {
    this.memory.set(keyOf(guildId, userId), { member: null, at: this.deps.clock.now(), checkedAt: this.deps.clock.now() });
    await this.deps.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('members').where('guild_id', '=', guildId).where('user_id', '=', userId).execute();
      await tx
        .insertInto('departed_members')
        .values({ guild_id: guildId, user_id: userId, departed_at: this.deps.clock.now() })
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
    this.deps.log.info({ guild: guildId, user: userId }, 'member no longer in the guild: schedule paused, left off the daily message');
  }
}

const keyOf = (guildId: string, userId: string) => `${guildId}:${userId}`;

/** A name shows as typed: `*star*` must not turn italic, `<@1>` in a nickname must not look like a mention. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\*_~`|<>#]/g, (c) => `\\${c}`);
}

function sameMember(a: MemberInfo, b: MemberInfo): boolean {
  return a.displayName === b.displayName && a.avatar === b.avatar && a.bot === b.bot && a.roles.length === b.roles.length && a.roles.every((r, i) => r === b.roles[i]);
}

function parseRoles(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
