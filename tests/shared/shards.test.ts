import { describe, expect, it } from 'vitest';
import { ALL_SHARDS, describeShards, ownsGuild, shardOf } from '../../src/shared/shards.js';

/** Discord's formula: https://discord.com/developers/docs/events/gateway#sharding */
describe('which process owns a guild', () => {
  it('a guild lands on shard (guild_id >> 22) % shard_count', () => {
    const id = '197038439483310086';
    const timestampPart = BigInt(id) >> 22n;
    expect(shardOf(id, 1)).toBe(0);
    expect(shardOf(id, 4)).toBe(Number(timestampPart % 4n));
    expect(shardOf(id, 1000)).toBe(Number(timestampPart % 1000n));
  });

  it('a process running some shards owns only their guilds; without SHARD_IDS it owns every guild', () => {
    const guilds = ['197038439483310086', '41771983423143937', '80351110224678912', '613425648685547541'];
    const plans = [
      { count: 4, ids: [0, 1] },
      { count: 4, ids: [2, 3] },
    ];
    for (const g of guilds) expect(plans.filter((p) => ownsGuild(p, g))).toHaveLength(1);
    for (const g of guilds) expect(ownsGuild(ALL_SHARDS, g)).toBe(true);
    expect(ownsGuild({ count: 4, ids: [0, 1, 2, 3] }, guilds[0]!)).toBe(true);
    expect(describeShards(plans[0]!)).toBe('0,1 of 4');
    expect(describeShards(ALL_SHARDS)).toBe('all');
  });
});
