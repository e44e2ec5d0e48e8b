/**
 * Which gateway shards this process runs, and so which guilds it answers for. Discord sends a
 * guild's events only on shard `(guild_id >> 22) % shard_count`; a process running shards
 * `SHARD_IDS` of `SHARD_COUNT` owns exactly the guilds that land on one of them, and runs the
 * scheduled work (daily post, auto-add, rank refresh, retention) and the voice bookkeeping of those
 * guilds only, so every guild has exactly one process doing it cluster-wide.
 * @see https://discord.com/developers/docs/events/gateway#sharding
 */
export interface ShardPlan {
  /** `SHARD_COUNT`; null: Discord's recommendation (`GET /gateway/bot` → `shards`), all in this process. */
  count: number | null;
  /** `SHARD_IDS`; null: every shard of the count. */
  ids: readonly number[] | null;
}

/** Whether a guild is this process's to handle (see {@link ownsGuild}); jobs and voice bookkeeping take one. */
export type GuildOwner = (guildId: string) => boolean;

/** The owner of an unsharded process: every guild. */
export const EVERY_GUILD: GuildOwner = () => true;

/** One process, every shard Discord recommends: today's default. */
export const ALL_SHARDS: ShardPlan = { count: null, ids: null };

/** The shard a guild's events arrive on: `(guild_id >> 22) % shard_count`. */
export function shardOf(guildId: string, shardCount: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** Whether this process runs some shards only (another process runs the others). */
export function isPartial(plan: ShardPlan): plan is { count: number; ids: readonly number[] } {
  return plan.count !== null && plan.ids !== null && plan.ids.length < plan.count;
}

/** Whether a guild is this process's to handle. */
export function ownsGuild(plan: ShardPlan, guildId: string): boolean {
  if (!isPartial(plan)) return true;
  return plan.ids.includes(shardOf(guildId, plan.count));
}

/** `0,1 of 4`, or `all` (logs, the heartbeat row's name, `/healthz`). */
export function describeShards(plan: ShardPlan): string {
  if (!isPartial(plan)) return plan.count === null ? 'all' : `all of ${plan.count}`;
  return `${plan.ids.join(',')} of ${plan.count}`;
}

/** The most shards a process may be told to count: far past any bot's need, small enough to catch a typo. */
export const MAX_SHARD_COUNT = 4096;

/**
 * `SHARD_IDS` as written: ids and ranges, `0,1` or `0-3,8`. Throws a sentence (without the variable
 * name; the config adds it) when it is not that, names a shard twice, or one not below `count`.
 */
export function parseShardIds(text: string, count: number): number[] {
  const ids: number[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!range) throw new Error(`must be shard ids separated by commas, such as 0,1 or 0-3 (got "${part}")`);
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (to < from) throw new Error(`has a range that runs backwards (${part})`);
    for (let id = from; id <= to; id++) {
      if (id >= count) throw new Error(`names shard ${id}, but SHARD_COUNT is ${count}: shard ids run from 0 to ${count - 1}`);
      if (ids.includes(id)) throw new Error(`names shard ${id} twice`);
      ids.push(id);
    }
  }
  return ids.sort((a, b) => a - b);
}
