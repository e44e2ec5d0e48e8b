/**
 * The gateway at `/gateway?v=10&encoding=json`: HELLO, heartbeats, IDENTIFY (with Discord's close
 * codes for bad tokens, intents and shards: 4010, 4011), READY + one GUILD_CREATE per guild of the
 * session's shard, intent- and shard-filtered
 * dispatches with sequence numbers, RESUME with replay, RECONNECT / INVALID_SESSION / drops on
 * demand, and voice state updates (op 4) from the bot.
 * @see https://discord.com/developers/docs/events/gateway
 * @see https://discord.com/developers/docs/events/gateway-events
 * @see https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes
 */
import { constants as zlibConstants, createDeflate, deflateSync, type Deflate } from 'node:zlib';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GatewayCloseCodes, GatewayIntentBits, GatewayOpcodes } from 'discord-api-types/v10';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DispatchEvent, World } from '../state/world.js';
import type { WireLog } from '../wire.js';
import { ALL_INTENTS, PRIVILEGED_INTENTS, applicationFlagsFor } from './intents.js';
import { membersChunk, wantsAllMembers } from './members-chunk.js';
import { buildGuildCreate, buildReady } from './payloads.js';
import { checkShard, SessionStarts } from './sharding.js';
import { GatewaySession } from './session.js';
import { applyVoiceOp, type VoiceEndpoint, type VoiceOp } from './voice-op.js';

export type { VoiceOp } from './voice-op.js';

export interface GatewayOptions {
  world: World;
  log: WireLog;
  heartbeatIntervalMs: number;
  /** Privileged intents enabled for the application. */
  privilegedIntents: () => number;
  /** How long a disconnected session stays resumable. */
  sessionTtlMs: number;
  /** `ws://127.0.0.1:PORT/gateway`, also sent as `resume_gateway_url`. */
  url: () => string;
  /** The voice server VOICE_SERVER_UPDATE points at: its endpoint and the tokens it accepts. */
  voice: VoiceEndpoint;
  /** Guilds one session may hold; IDENTIFY past it is closed with 4011 (sharding required). */
  maxGuildsPerShard: number;
  /** Session starts per window (`session_start_limit.total`). */
  sessionStartTotal: number;
  /** The session start window (24 h on Discord). */
  sessionStartResetMs?: number;
}

interface Connection {
  session: GatewaySession | null;
  /** `compress=zlib-stream`: one deflate context for the whole connection, flushed per payload. */
  zlib: { deflate: Deflate; pending: Buffer[] } | null;
  /** IDENTIFY `compress: true`: each payload deflated on its own. */
  payloadCompression: boolean;
  /** Timestamps of received payloads (send limit: 120 per 60 s). */
  received: number[];
  closingByServer: boolean;
}

const SEND_LIMIT = 120;
const SEND_WINDOW_MS = 60_000;

export class GatewayServer {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #connections = new Map<WebSocket, Connection>();
  readonly sessions = new Map<string, GatewaySession>();
  readonly voiceOps: VoiceOp[] = [];
  /** IDENTIFYs spent of the day's budget, for `GET /gateway/bot`. */
  readonly sessionStarts: SessionStarts;

  constructor(private readonly o: GatewayOptions) {
    this.sessionStarts = new SessionStarts(o.sessionStartTotal, o.sessionStartResetMs);
    o.world.dispatch = (event) => this.deliver(event);
  }

  /** Takes over an HTTP upgrade for `/gateway`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, query: URLSearchParams): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      try {
        this.#onConnection(ws, query);
      } catch (e) {
        this.#internalError(ws, e);
      }
    });
  }

  /** Last resort: an emulator bug closes the connection with 4000, it never takes the process down. */
  #internalError(ws: WebSocket, e: unknown): void {
    this.o.world.counters.internalError();
    console.error('[emulator] gateway handler failed', e);
    const conn = this.#connections.get(ws);
    if (conn) conn.closingByServer = true;
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(GatewayCloseCodes.UnknownError, 'Unknown error.');
  }

  #onConnection(ws: WebSocket, query: URLSearchParams): void {
    const conn: Connection = { session: null, zlib: null, payloadCompression: false, received: [], closingByServer: false };
    this.#connections.set(ws, conn);
    ws.on('message', (data, isBinary) => this.#onMessage(ws, conn, data as Buffer, isBinary));
    ws.on('close', (code, reason) => this.#onClose(ws, conn, code, reason.toString()));
    ws.on('error', () => {});
    const version = query.get('v');
    if (version !== null && version !== '10' && version !== '9') return this.#close(ws, conn, GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version');
    const encoding = query.get('encoding') ?? 'json';
    if (encoding !== 'json') return this.#close(ws, conn, GatewayCloseCodes.DecodeError, `Encoding ${encoding} is not supported by the emulator`);
    const compress = query.get('compress');
    if (compress === 'zlib-stream') {
      const deflate = createDeflate();
      const pending: Buffer[] = [];
      deflate.on('data', (chunk: Buffer) => pending.push(chunk));
      conn.zlib = { deflate, pending };
    } else if (compress) {
      return this.#close(ws, conn, GatewayCloseCodes.DecodeError, `compress=${compress} is not supported by the emulator (use zlib-stream or none)`);
    }
    this.#send(ws, conn.session, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.o.heartbeatIntervalMs, _trace: ['["rollcall-emulator",{"micros":0}]'] }, s: null, t: null });
  }

  #send(ws: WebSocket, session: GatewaySession | null, payload: { op: number; d: unknown; s: number | null; t: string | null }): void {
    if (ws.readyState !== ws.OPEN) return;
    const text = JSON.stringify(payload);
    const conn = this.#connections.get(ws);
    if (conn?.zlib) {
      const { deflate, pending } = conn.zlib;
      deflate.write(text);
      deflate.flush(zlibConstants.Z_SYNC_FLUSH, () => {
        if (ws.readyState === ws.OPEN) ws.send(Buffer.concat(pending.splice(0)));
      });
    } else if (conn?.payloadCompression) {
      ws.send(deflateSync(text));
    } else {
      ws.send(text);
    }
    const heavy = payload.t === 'READY' || payload.t === 'GUILD_CREATE';
    this.o.log.push({
      kind: 'gateway',
      direction: 'out',
      sessionId: session?.id ?? null,
      op: payload.op,
      t: payload.t,
      s: payload.s,
      d: heavy ? { summary: `${payload.t} (${JSON.stringify(payload.d).length} bytes)` } : payload.d,
    });
  }

  #close(ws: WebSocket, conn: Connection, code: number, reason: string): void {
    conn.closingByServer = true;
    this.o.log.push({ kind: 'gateway-close', sessionId: conn.session?.id ?? null, code, reason, by: 'server' });
    ws.close(code, reason);
  }

  #onMessage(ws: WebSocket, conn: Connection, data: Buffer, isBinary: boolean): void {
    try {
      this.#handleFrame(ws, conn, data, isBinary);
    } catch (e) {
      this.#internalError(ws, e);
    }
  }

  #handleFrame(ws: WebSocket, conn: Connection, data: Buffer, isBinary: boolean): void {
    const now = Date.now();
    conn.received = conn.received.filter((t) => now - t < SEND_WINDOW_MS);
    conn.received.push(now);
    if (conn.received.length > SEND_LIMIT) return this.#close(ws, conn, GatewayCloseCodes.RateLimited, 'You are being rate limited.');
    let parsed: unknown;
    try {
      if (isBinary) throw new Error('binary');
      parsed = JSON.parse(data.toString('utf8'));
    } catch {
      return this.#close(ws, conn, GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
    }
    // A payload is an object with a numeric op (`null`, `5`, `[]`, `"x"` or `{"op":"1"}` are not).
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || typeof (parsed as { op?: unknown }).op !== 'number') {
      return this.#close(ws, conn, GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
    }
    const payload = parsed as { op: number; d?: any };
    const secret = payload.op === GatewayOpcodes.Identify || payload.op === GatewayOpcodes.Resume;
    const d = secret && typeof payload.d === 'object' && payload.d !== null ? { ...payload.d, token: '<redacted>' } : payload.d;
    this.o.log.push({ kind: 'gateway', direction: 'in', sessionId: conn.session?.id ?? null, op: payload.op, d });
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        return this.#send(ws, conn.session, { op: GatewayOpcodes.HeartbeatAck, d: null, s: null, t: null });
      case GatewayOpcodes.Identify:
        return this.#identify(ws, conn, payload.d);
      case GatewayOpcodes.Resume:
        return this.#resume(ws, conn, payload.d);
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
      case GatewayOpcodes.RequestGuildMembers:
        break;
      default:
        return this.#close(ws, conn, GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.');
    }
    if (!conn.session) return this.#close(ws, conn, GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
    switch (payload.op) {
      case GatewayOpcodes.VoiceStateUpdate:
        return void this.voiceOps.push(applyVoiceOp(this.o.world, conn.session, payload.d, this.o.voice));
      case GatewayOpcodes.RequestGuildMembers:
        return this.#requestGuildMembers(ws, conn, payload.d);
      default:
        return;
    }
  }

  #tokenOk(token: unknown): boolean {
    const expected = this.o.world.application.token;
    return token === expected || token === `Bot ${expected}`;
  }

  #identify(ws: WebSocket, conn: Connection, d: any): void {
    if (conn.session) return this.#close(ws, conn, GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
    if (!this.#tokenOk(d?.token)) return this.#close(ws, conn, GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    const intents = d?.intents;
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~ALL_INTENTS) !== 0) {
      return this.#close(ws, conn, GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).');
    }
    if ((intents & PRIVILEGED_INTENTS & ~this.o.privilegedIntents()) !== 0) {
      return this.#close(ws, conn, GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).');
    }
    const { world } = this.o;
    const guildsOn = (shard: [number, number]) => [...world.guilds.values()].filter((g) => g.members.has(world.botUserId) && GatewaySession.covers(shard, g.id)).map((g) => g.id);
    const shard = checkShard(d?.shard, (pair) => guildsOn(pair).length, this.o.maxGuildsPerShard);
    if (!shard.ok && shard.code === 'invalid') return this.#close(ws, conn, GatewayCloseCodes.InvalidShard, 'Invalid shard.');
    if (!shard.ok) return this.#close(ws, conn, GatewayCloseCodes.ShardingRequired, 'Sharding required.');
    if (this.sessionStarts.left(Date.now()) === 0) return this.#sessionLimitHit(ws, conn);
    this.sessionStarts.spend(Date.now());
    this.#sweepSessions();
    conn.payloadCompression = d?.compress === true && conn.zlib === null;
    const session = new GatewaySession(intents, shard.shard, (socket, payload, s) => this.#send(socket, s, payload as never));
    session.socket = ws;
    conn.session = session;
    this.sessions.set(session.id, session);
    const guildIds = guildsOn(session.shard);
    this.#dispatch(
      session,
      'READY',
      buildReady(world, { sessionId: session.id, resumeUrl: this.o.url(), shard: session.shard, guildIds, applicationFlags: applicationFlagsFor(this.o.privilegedIntents()) }),
    );
    for (const id of guildIds) this.#dispatch(session, 'GUILD_CREATE', buildGuildCreate(world, id, session.intents));
  }

  /**
   * An IDENTIFY past the session start limit: Discord ends every session of the app and resets its
   * token. The close code is not documented; 4004 is what the old token gets from then on (REST: 401).
   * @see https://discord.com/developers/docs/events/gateway#identifying
   */
  #sessionLimitHit(ws: WebSocket, conn: Connection): void {
    const { world } = this.o;
    world.application.token = `${world.application.token.split('.')[0]}.reset-${Date.now().toString(36)}`;
    this.o.log.push({ kind: 'gateway-close', sessionId: null, code: GatewayCloseCodes.AuthenticationFailed, reason: 'session start limit exceeded: every session ended, token reset', by: 'server' });
    for (const session of this.sessions.values()) session.invalidated = true;
    for (const [socket, c] of this.#connections) if (socket !== ws) this.#close(socket, c, GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    this.#close(ws, conn, GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
  }

  #resume(ws: WebSocket, conn: Connection, d: any): void {
    if (conn.session) return this.#close(ws, conn, GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
    if (!this.#tokenOk(d?.token)) return this.#close(ws, conn, GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    this.#sweepSessions();
    const session = typeof d?.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    if (session && !session.invalidated && (typeof d?.seq !== 'number' || d.seq > session.seq)) {
      return this.#close(ws, conn, GatewayCloseCodes.InvalidSeq, 'Invalid seq.');
    }
    const missed = session && !session.invalidated ? session.missedSince(d.seq) : null;
    if (!session || !missed) {
      if (session) session.invalidated = true;
      return this.#send(ws, null, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
    }
    if (session.socket && session.socket !== ws) {
      const old = session.socket;
      const oldConn = this.#connections.get(old);
      if (oldConn) oldConn.session = null;
      old.close(GatewayCloseCodes.UnknownError, 'Session resumed elsewhere');
    }
    session.socket = ws;
    session.disconnectedAt = null;
    conn.session = session;
    for (const e of missed) this.#send(ws, session, { op: GatewayOpcodes.Dispatch, d: e.d, s: e.s, t: e.t });
    this.#dispatch(session, 'RESUMED', { _trace: ['["rollcall-emulator",{"micros":0}]'] });
  }

  #dispatch(session: GatewaySession, t: string, d: unknown): void {
    session.dispatch(t, d);
    this.o.world.counters.dispatches += 1;
  }

  /** Routes a world event to every session whose intents and shard want it; answers how many got it. */
  deliver(event: DispatchEvent): number {
    let reached = 0;
    for (const session of this.sessions.values()) {
      if (session.invalidated) continue;
      if (event.sessionId && event.sessionId !== session.id) continue;
      if (event.intent !== undefined && (session.intents & event.intent) === 0) continue;
      if (!session.coversGuild(event.guildId)) continue;
      this.#dispatch(session, event.t, this.#withoutContent(session, event));
      reached += 1;
    }
    return reached;
  }

  /** Without MESSAGE_CONTENT, other users' guild messages arrive empty unless they mention the bot. */
  #withoutContent(session: GatewaySession, event: DispatchEvent): unknown {
    const bot = this.o.world.botUserId;
    if (!event.messageAuthorId || !event.guildId || event.messageAuthorId === bot) return event.d;
    if (session.intents & GatewayIntentBits.MessageContent) return event.d;
    const message = event.d as Record<string, unknown>;
    const content = String(message.content ?? '');
    if (content.includes(`<@${bot}>`) || content.includes(`<@!${bot}>`)) return event.d;
    return { ...message, content: '', embeds: [], attachments: [], components: [] };
  }

  #requestGuildMembers(ws: WebSocket, conn: Connection, d: any): void {
    const session = conn.session as GatewaySession;
    if (wantsAllMembers(d) && !(session.intents & GatewayIntentBits.GuildMembers)) return this.#close(ws, conn, GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).');
    const chunk = membersChunk(this.o.world, d);
    if (chunk) this.#dispatch(session, 'GUILD_MEMBERS_CHUNK', chunk);
  }

  #onClose(ws: WebSocket, conn: Connection, code: number, reason: string): void {
    this.#connections.delete(ws);
    conn.zlib?.deflate.close();
    if (!conn.closingByServer) this.o.log.push({ kind: 'gateway-close', sessionId: conn.session?.id ?? null, code, reason, by: 'client' });
    const session = conn.session;
    if (!session || session.socket !== ws) return;
    session.socket = null;
    session.disconnectedAt = Date.now();
    // A client closing with 1000/1001 ends its session (Discord: it cannot be resumed).
    if (!conn.closingByServer && (code === 1000 || code === 1001)) session.invalidated = true;
  }

  #sweepSessions(): void {
    const now = Date.now();
    for (const [id, s] of this.sessions) {
      if (s.socket) continue;
      if (s.invalidated || (s.disconnectedAt !== null && now - s.disconnectedAt > this.o.sessionTtlMs)) {
        s.invalidated = true;
        this.sessions.delete(id);
      }
    }
  }

  /** Sessions with a live socket. */
  get connected(): GatewaySession[] {
    return [...this.sessions.values()].filter((s) => s.socket !== null);
  }

  /**
   * Drops every live connection (with `shard`, only the sessions of that shard id). `resumable: false` invalidates the sessions first, so the client's
   * RESUME gets INVALID_SESSION (d: false). Without `code` the socket is cut (like a network drop,
   * the client sees 1006); with `code` it is closed with that code (e.g. 4000).
   */
  drop({ resumable = true, code, shard }: { resumable?: boolean; code?: number; shard?: number } = {}): number {
    let dropped = 0;
    for (const [ws, conn] of this.#connections) {
      if (shard !== undefined && conn.session?.shard[0] !== shard) continue;
      if (conn.session && !resumable) conn.session.invalidated = true;
      dropped += 1;
      if (code === undefined) {
        conn.closingByServer = true;
        this.o.log.push({ kind: 'gateway-close', sessionId: conn.session?.id ?? null, code: 1006, reason: 'dropped by emulator', by: 'server' });
        ws.terminate();
      } else this.#close(ws, conn, code, 'closed by emulator');
    }
    return dropped;
  }

  /** Makes every resumable session unresumable (their next RESUME gets INVALID_SESSION). */
  invalidateSessions(): void {
    for (const s of this.sessions.values()) s.invalidated = true;
  }

  /** Sends op 7 RECONNECT to every live connection. */
  requestReconnect(): void {
    for (const [ws, conn] of this.#connections) if (conn.session) this.#send(ws, conn.session, { op: GatewayOpcodes.Reconnect, d: null, s: null, t: null });
  }

  /** Sends op 1 HEARTBEAT (the gateway asking for an immediate heartbeat). */
  requestHeartbeat(): void {
    for (const [ws, conn] of this.#connections) this.#send(ws, conn.session, { op: GatewayOpcodes.Heartbeat, d: null, s: null, t: null });
  }

  /** Sends op 9 INVALID_SESSION to live connections (`resumable` is its `d`). */
  sendInvalidSession(resumable: boolean): void {
    for (const [ws, conn] of this.#connections) {
      if (!conn.session) continue;
      if (!resumable) conn.session.invalidated = true;
      const session = conn.session;
      conn.session = null;
      session.socket = null;
      session.disconnectedAt = Date.now();
      this.#send(ws, session, { op: GatewayOpcodes.InvalidSession, d: resumable, s: null, t: null });
    }
  }

  async close(): Promise<void> {
    for (const ws of this.#connections.keys()) ws.terminate();
    this.#connections.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }
}
