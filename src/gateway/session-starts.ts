import { setTimeout as sleep } from 'node:timers/promises';
import type { IIdentifyThrottler } from '@discordjs/ws';
import type { APIGatewaySessionStartLimit } from 'discord-api-types/v10';
import type { Clock } from '../shared/clock.js';
import type { GatewayConnection } from '../shared/gateway-connection.js';
import type { Logger } from '../shared/logger.js';
import { formatDuration } from '../shared/time/duration.js';

/** The shortest wait on a used-up limit, whatever `reset_after` says: never a busy loop. */
export const MIN_LIMIT_WAIT_MS = 1_000;

/** Why a waiting shard waits, as `/healthz` and `/readyz` show it. */
export const LIMIT_REASON = "Discord's session start limit is used up";

export interface SessionStartGateOptions {
  /** `GET /gateway/bot`'s `session_start_limit`, asked afresh (other processes spend the same budget). */
  limit: () => Promise<Pick<APIGatewaySessionStartLimit, 'total' | 'remaining' | 'reset_after'>>;
  connection: GatewayConnection;
  log: Logger;
  clock: Clock;
}

/**
 * Keeps IDENTIFYs within Discord's session start limit (1 000 a day for most bots, shared by every
 * shard and process). Discord does not refuse an IDENTIFY past the limit: it ends every session of
 * the bot and resets its token, so the bot is down until a person pastes the new one. @discordjs/ws
 * checks `remaining` only in `connect()` (it throws there, and not before a later re-IDENTIFY), so
 * this gate is asked before the first connect and before every IDENTIFY: with nothing left, the
 * shards wait out `reset_after` (one warning line, the shards `waiting` with the reason in
 * `/healthz`), then ask again.
 * @see https://discord.com/developers/docs/events/gateway#session-start-limit-object
 * @see https://discord.com/developers/docs/events/gateway#identifying
 */
export class SessionStartGate {
  /** The end of the wait last warned about: shards waiting for the same reset warn once. */
  #warnedUntil = -Infinity;

  constructor(private readonly o: SessionStartGateOptions) {}

  /**
   * True when `shardIds.length` session starts are left now. Else waits until the limit resets
   * (rejects if `signal` aborts) and answers false: ask again, as another process may have spent them.
   * Rejects when the limit cannot be read (a wrong token's 401, Discord unreachable).
   */
  async pass(shardIds: readonly number[], signal?: AbortSignal): Promise<boolean> {
    const limit = await this.o.limit();
    if (limit.remaining >= shardIds.length) return true;
    const waitMs = Math.max(MIN_LIMIT_WAIT_MS, limit.reset_after);
    const until = this.o.clock.now() + waitMs;
    this.o.connection.waiting(shardIds, LIMIT_REASON, until);
    if (until > this.#warnedUntil + MIN_LIMIT_WAIT_MS) {
      this.#warnedUntil = until;
      this.o.log.warn(
        { shards: shardIds, remaining: limit.remaining, total: limit.total, resetAfterMs: limit.reset_after },
        `${LIMIT_REASON}: next IDENTIFY in ${formatDuration(waitMs / 1000)} (${shardIds.length === 1 ? `shard ${shardIds[0]} waits` : `shards ${shardIds.join(', ')} wait`}; ${limit.remaining} of ${limit.total} session starts left until then)`,
      );
    }
    await sleep(waitMs, undefined, signal ? { signal } : {});
    return false;
  }

  /**
   * Resolves once `shardIds.length` session starts are left (the first connect of the process). An
   * unreadable limit rejects, as @discordjs/ws's own connect would: the sidecar retries, or stops on a 401.
   */
  async until(shardIds: readonly number[], signal?: AbortSignal): Promise<void> {
    while (!(await this.pass(shardIds, signal)));
  }

  /**
   * `inner` (Discord's max_concurrency spacing) then the gate, for each IDENTIFY. After a wait on the
   * limit the shard queues for a concurrency slot again, so shards that waited for the same reset
   * do not all IDENTIFY at once; and the gate is asked after the slot, when the previous IDENTIFY
   * (at least 5 s earlier with Discord's throttle) is already counted in `remaining`.
   */
  throttler(inner: IIdentifyThrottler): IIdentifyThrottler {
    return {
      waitForIdentify: async (shardId, signal) => {
        for (;;) {
          await inner.waitForIdentify(shardId, signal);
          try {
            if (await this.pass([shardId], signal)) return;
          } catch (error) {
            if (signal.aborted) throw error;
            // Discord unreachable for the moment: IDENTIFY as without the gate (the socket is open).
            this.o.log.warn({ err: error, shard: shardId }, 'could not read the session start limit (GET /gateway/bot); identifying anyway');
            return;
          }
        }
      },
    };
  }
}
