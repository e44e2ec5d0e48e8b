/**
 * A gateway session: its id, intents, shard, sequence and the dispatches it was sent, kept so a
 * RESUME can replay what the client missed. A session outlives its socket until it expires or is
 * invalidated.
 * @see https://discord.com/developers/docs/events/gateway#resuming
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';

export interface SentDispatch {
  s: number;
  t: string;
  d: unknown;
}

/** How many dispatches a session keeps for replay. */
const REPLAY_BUFFER = 5000;

export class GatewaySession {
  readonly id = randomBytes(16).toString('hex');
  seq = 0;
  readonly buffer: SentDispatch[] = [];
  socket: WebSocket | null = null;
  /** Set when the session can no longer be resumed. */
  invalidated = false;
  disconnectedAt: number | null = null;

  constructor(
    readonly intents: number,
    readonly shard: [number, number],
    private readonly send: (socket: WebSocket, payload: unknown, session: GatewaySession) => void,
  ) {}

  /** Sends (or, while disconnected, only records) a dispatch with the next sequence number. */
  dispatch(t: string, d: unknown): SentDispatch {
    this.seq += 1;
    const entry = { s: this.seq, t, d };
    this.buffer.push(entry);
    if (this.buffer.length > REPLAY_BUFFER) this.buffer.shift();
    if (this.socket) this.send(this.socket, { op: 0, t, s: entry.s, d }, this);
    return entry;
  }

  /** Dispatches after `seq`, or null when some of them are no longer buffered. */
  missedSince(seq: number): SentDispatch[] | null {
    if (seq > this.seq) return null;
    const missed = this.buffer.filter((e) => e.s > seq);
    const first = missed[0];
    if (missed.length !== this.seq - seq || (first && first.s !== seq + 1)) return null;
    return missed;
  }

  /** Whether a guild's events go to this session's shard: `(guild_id >> 22) % num_shards`. */
  coversGuild(guildId: string | null): boolean {
    return GatewaySession.covers(this.shard, guildId);
  }

  /** Whether `shard` gets a guild's events (DMs and guildless events: shard 0). */
  static covers(shard: readonly [number, number], guildId: string | null): boolean {
    if (!guildId) return shard[0] === 0;
    return Number((BigInt(guildId) >> 22n) % BigInt(shard[1])) === shard[0];
  }
}
