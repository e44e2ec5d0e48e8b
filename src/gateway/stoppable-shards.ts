import { Collection } from '@discordjs/collection';
import {
  SimpleContextFetchingStrategy,
  WebSocketShard,
  WebSocketShardEvents,
  managerToFetchingStrategyOptions,
  type IShardingStrategy,
  type WebSocketManager,
  type WebSocketShardDestroyOptions,
  type WebSocketShardStatus,
} from '@discordjs/ws';
import type { GatewaySendPayload } from 'discord-api-types/v10';

/**
 * @discordjs/ws's simple sharding strategy (all shards in this process), with shards that stay
 * stopped once destroyed.
 *
 * Why not `SimpleShardingStrategy`: after a recoverable close (a zombie heartbeat, a resumable close
 * code) a shard waits 500 ms, reporting itself idle, then connects again. A destroy in that half
 * second finds it idle and skips it, and it connects anyway: a stopped bot back on the gateway,
 * handling events with a closed database (seen in CI, tests/gateway/shard-stop.test.ts). Here a
 * destroyed shard's next connect does nothing, and nothing it emits reaches the manager's listeners.
 * @see https://github.com/discordjs/discord.js/tree/main/packages/ws
 */
export class StoppableShardingStrategy implements IShardingStrategy {
  private readonly shards = new Collection<number, WebSocketShard>();
  /** Shards destroyed (by a stop, or by the manager before it spawns a new set when the shard count changes). */
  private readonly stopped = new WeakSet<WebSocketShard>();

  constructor(private readonly manager: WebSocketManager) {}

  async spawn(shardIds: number[]): Promise<void> {
    const options = await managerToFetchingStrategyOptions(this.manager);
    for (const id of shardIds) {
      const shard = new WebSocketShard(new SimpleContextFetchingStrategy(this.manager, options), id);
      this.guardReconnects(shard);
      for (const event of Object.values(WebSocketShardEvents)) {
        shard.on(event, (...args: unknown[]) => {
          if (!this.stopped.has(shard)) (this.manager.emit as (event: string, ...args: unknown[]) => boolean).call(this.manager, event, ...args, id);
        });
      }
      this.shards.set(id, shard);
    }
  }

  async connect(): Promise<void> {
    await Promise.all(this.shards.map((shard) => shard.connect()));
  }

  async destroy(options: Omit<WebSocketShardDestroyOptions, 'recover'> = {}): Promise<void> {
    for (const shard of this.shards.values()) this.stopped.add(shard);
    await Promise.all(this.shards.map((shard) => shard.destroy(options)));
    this.shards.clear();
  }

  async send(shardId: number, payload: GatewaySendPayload): Promise<void> {
    const shard = this.shards.get(shardId);
    if (!shard) throw new RangeError(`shard ${shardId} is not run by this process`);
    await shard.send(payload);
  }

  fetchStatus(): Collection<number, WebSocketShardStatus> {
    return this.shards.mapValues((shard) => shard.status);
  }

  /**
   * Every (re)connect of a shard goes through its `internalConnect` (private in the typings): once
   * stopped, it does nothing. Fails at spawn, not silently, if @discordjs/ws renames it.
   */
  private guardReconnects(shard: WebSocketShard): void {
    const inner = shard as unknown as { internalConnect?: () => Promise<void> };
    const connect = inner.internalConnect;
    if (typeof connect !== 'function') throw new Error('@discordjs/ws changed: WebSocketShard has no internalConnect to guard (see src/gateway/stoppable-shards.ts)');
    inner.internalConnect = async () => {
      if (!this.stopped.has(shard)) await connect.call(shard);
    };
  }
}
