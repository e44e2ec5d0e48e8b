import { noteStorageWritten, reportStorageFailure } from '../errors.js';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { isPartial, type ShardPlan } from '../shards.js';

export const HEARTBEAT_INTERVAL_MS = 30_000;

/** The process role of the gateway sidecar's heartbeat (what a webhook-only process reads). */
export const GATEWAY_ROLE = 'gateway';

/**
 * The heartbeat role of a gateway process: `gateway`, or `gateway[0,1/4]` for one running some
 * shards only — each gateway process has its own rows, so a crash of one is recovered from its own
 * last beat, not from another process's.
 */
export function gatewayRole(plan: ShardPlan): string {
  return isPartial(plan) ? `${GATEWAY_ROLE}[${plan.ids.join(',')}/${plan.count}]` : GATEWAY_ROLE;
}

/** The row beside a process role's own that holds its gateway's last-known-connected time. */
export const connectionRow = (process: string) => `${process}:gateway-connected`;

/**
 * The gateway as a webhook-only process (`npm run start:http`) sees it: the rows the gateway
 * process writes into `heartbeats` about every 30 s.
 */
export interface RecordedGateway {
  /** The gateway process's last beat (alive), unix ms. */
  beatAt: number | null;
  /** Its gateway's last known connected moment (a dispatch or heartbeat ACK), when it records one. */
  connectedAt: number | null;
}

/**
 * The bot's own liveness: one `heartbeats` row per process role, rewritten every ~30 s, and beside it
 * (`<role>:gateway-connected`) the last moment its gateway was known connected — the last dispatch
 * or heartbeat ACK of a live session. A process can be alive while its gateway is not (an outage it
 * keeps trying to reconnect through), and the bot only sees voice through the gateway: after a
 * crash, stays left open are closed at the earlier of the two ({@link lastWatching}), so neither
 * the downtime nor an outage before it counts.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private startedAt: number | undefined;
  /** The gateway's last-known-connected time in this run; written with each beat. */
  private connectedAt: number | undefined;

  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock; log: Logger; process: string; intervalMs?: number }) {}

  /**
   * What the gateway process last wrote (null values when nothing, or the database cannot be read).
   * With sharded gateway processes, the latest of theirs: a webhook replica asks whether a gateway
   * runs at all; which shard is down is each gateway process's own `/healthz`.
   */
  async recordedGateway(): Promise<RecordedGateway> {
    try {
      const rows = await this.deps.db
        .selectFrom('heartbeats')
        .select(['process', 'beat_at'])
        .where((eb) => eb.or([eb('process', 'in', [GATEWAY_ROLE, connectionRow(GATEWAY_ROLE)]), eb('process', 'like', `${GATEWAY_ROLE}[%`)]))
        .execute();
      const latest = (connection: boolean) => {
        const beats = rows.filter((r) => r.process.endsWith(connectionRow('')) === connection).map((r) => r.beat_at);
        return beats.length > 0 ? Math.max(...beats) : null;
      };
      return { beatAt: latest(false), connectedAt: latest(true) };
    } catch {
      return { beatAt: null, connectedAt: null };
    }
  }

  /** The last beat written by this process role (by a previous run, if this one has not beaten yet). */
  async last(): Promise<number | null> {
    const row = await this.deps.db.selectFrom('heartbeats').select('beat_at').where('process', '=', this.deps.process).executeTakeFirst();
    return row?.beat_at ?? null;
  }

  /** The gateway's last-known-connected time written by this process role (a previous run's, before this one connects). */
  async lastConnected(): Promise<number | null> {
    const row = await this.deps.db.selectFrom('heartbeats').select('beat_at').where('process', '=', connectionRow(this.deps.process)).executeTakeFirst();
    return row?.beat_at ?? null;
  }

  /**
   * The last moment a previous run is known to have been watching voice: the earlier of its last
   * beat and its gateway's last-known-connected time (either alone when the other was never written).
   */
  async lastWatching(): Promise<number | null> {
    const [alive, connected] = [await this.last(), await this.lastConnected()];
    if (alive === null || connected === null) return alive ?? connected;
    return Math.min(alive, connected);
  }

  /** The gateway was known connected at `at` (a dispatch or heartbeat ACK of a live session); written with the next beat. */
  noteConnected(at: number): void {
    if (this.connectedAt === undefined || at > this.connectedAt) this.connectedAt = at;
  }

  /** Writes "alive now", and the gateway's last-known-connected time. Tests call it directly with their clock; production on a timer. */
  async beat(): Promise<void> {
    const now = this.deps.clock.now();
    this.startedAt ??= now;
    const startedAt = this.startedAt;
    const connectedAt = this.connectedAt;
    await this.deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('heartbeats')
        .values({ process: this.deps.process, beat_at: now, started_at: startedAt })
        .onConflict((oc) => oc.column('process').doUpdateSet({ beat_at: now, started_at: startedAt }))
        .execute();
      if (connectedAt === undefined) return;
      await trx
        .insertInto('heartbeats')
        .values({ process: connectionRow(this.deps.process), beat_at: connectedAt, started_at: startedAt })
        .onConflict((oc) => oc.column('process').doUpdateSet({ beat_at: connectedAt, started_at: startedAt }))
        .execute();
    });
  }

  /** Beats now and then every interval until {@link stop}. The timer never keeps the process alive. */
  async start(): Promise<void> {
    this.stopTimer();
    await this.beat();
    this.timer = setInterval(() => {
      this.beat().then(
        () => noteStorageWritten(this.deps.log),
        (error: unknown) => {
          if (!reportStorageFailure(this.deps.log, error, 'heartbeat')) this.deps.log.error({ err: error }, 'heartbeat failed');
        },
      );
    }, this.deps.intervalMs ?? HEARTBEAT_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
