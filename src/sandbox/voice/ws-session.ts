/**
 * One bot voice connection as the voice server keeps it: the WebSocket handshake of voice gateway
 * v8 (hello, identify → ready with ssrc/ip/port/modes, heartbeat → ack, select protocol → session
 * description with the secret key and DAVE version, speaking, resume with buffered replay) and
 * Discord's close codes where Discord uses them. The session outlives its socket so it can be
 * resumed; every server message after hello carries a sequence number (binary ones in 2 bytes).
 * @see https://discord.com/developers/docs/topics/voice-connections
 * @see https://discord.com/developers/docs/topics/opcodes-and-status-codes#voice
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { WebSocket } from 'ws';
import { DaveOp, type Participant } from './dave/delivery.js';
import { ENCRYPTION_MODES, openRtp, type EncryptionMode } from './transport-crypto.js';

export const VoiceOp = { Identify: 0, SelectProtocol: 1, Ready: 2, Heartbeat: 3, SessionDescription: 4, Speaking: 5, HeartbeatAck: 6, Resume: 7, Hello: 8, Resumed: 9 } as const;

/** Voice close event codes the emulator sends. */
export const VoiceClose = {
  UnknownOpcode: 4001,
  DecodeError: 4002,
  NotAuthenticated: 4003,
  AuthenticationFailed: 4004,
  AlreadyAuthenticated: 4005,
  SessionNoLongerValid: 4006,
  SessionTimeout: 4009,
  UnknownProtocol: 4012,
  Disconnected: 4014,
  ServerCrashed: 4015,
  UnknownEncryptionMode: 4016,
} as const;

/** What VOICE_SERVER_UPDATE granted: the bot may identify with this token for this guild, channel and session. */
export interface VoiceGrant {
  token: string;
  guildId: string;
  channelId: string;
  userId: string;
  sessionId: string;
}

/** What a session needs from the voice server. */
export interface SessionHost {
  readonly modes: readonly EncryptionMode[];
  readonly heartbeatIntervalMs: number;
  readonly udpPort: number;
  claimSsrc(ssrc: number, handler: (packet: Buffer) => void): void;
  /** The session selected its protocol: it joins its channel's media session; returns the DAVE version. */
  joinMedia(session: VoiceSession): number;
  /** A DAVE opcode from the client, for its media session. */
  dave(session: VoiceSession, op: number, payload: any): void;
  speaking(session: VoiceSession, speaking: number): void;
  frame(session: VoiceSession, frame: Buffer): void;
  /** The session is over (left, not resumed in time, closed for good). */
  ended(session: VoiceSession): void;
  log(session: VoiceSession | null, direction: 'in' | 'out', op: number, d?: unknown): void;
}

const KNOWN_OPS = new Set<number>([0, 1, 3, 5, 7, DaveOp.TransitionReady, DaveOp.InvalidCommitWelcome]);
const BUFFERED = 256;

export class VoiceSession implements Participant {
  readonly ssrc = randomInt(1, 2 ** 31);
  readonly userId: string;
  maxDaveVersion = 0;
  mode: EncryptionMode | null = null;
  key: Buffer | null = null;
  speakingFlags = 0;
  socket: WebSocket | null = null;
  /** Packets that failed transport decryption. */
  badPackets = 0;
  ended = false;
  #seq = 0;
  readonly #sent: { seq: number; data: string | Buffer }[] = [];

  constructor(
    readonly grant: VoiceGrant,
    readonly host: SessionHost,
  ) {
    this.userId = grant.userId;
    host.claimSsrc(this.ssrc, (packet) => this.#onRtp(packet));
  }

  sendJson(op: number, d: unknown): void {
    this.#seq = (this.#seq + 1) & 0xffff;
    this.#push(JSON.stringify({ op, d, seq: this.#seq }));
    this.host.log(this, 'out', op, d);
  }

  sendBinary(op: number, payload: Buffer): void {
    this.#seq = (this.#seq + 1) & 0xffff;
    const head = Buffer.alloc(3);
    head.writeUInt16BE(this.#seq);
    head[2] = op;
    this.#push(Buffer.concat([head, payload]));
    this.host.log(this, 'out', op, { bytes: payload.length });
  }

  #push(data: string | Buffer): void {
    this.#sent.push({ seq: this.#seq, data });
    if (this.#sent.length > BUFFERED) this.#sent.shift();
    if (this.socket?.readyState === 1) this.socket.send(data);
  }

  /** Replays what the client missed after `seqAck` (-1: everything); false when the buffer no longer holds it. */
  replay(seqAck: number): boolean {
    const after = (seq: number) => seqAck < 0 || (((seq - seqAck) & 0xffff) > 0 && ((seq - seqAck) & 0xffff) < 0x8000);
    const missed = this.#sent.filter((m) => after(m.seq));
    const oldest = this.#sent[0];
    if (seqAck >= 0 && this.#sent.length === BUFFERED && oldest && ((oldest.seq - seqAck) & 0xffff) > 1 && after(oldest.seq)) return false;
    for (const m of missed) this.socket?.send(m.data);
    return true;
  }

  #onRtp(packet: Buffer): void {
    if (!this.mode || !this.key) return;
    try {
      this.host.frame(this, openRtp(packet, this.mode, this.key).payload);
    } catch {
      this.badPackets++;
    }
  }

  /** Selects the protocol: answers the session description (and joins the media session). */
  select(d: any): number | null {
    if (d?.protocol !== 'udp') return VoiceClose.UnknownProtocol;
    const mode = d?.data?.mode;
    if (!this.host.modes.includes(mode)) return VoiceClose.UnknownEncryptionMode;
    this.mode = mode;
    this.key = randomBytes(32);
    const version = this.host.joinMedia(this);
    this.sendJson(VoiceOp.SessionDescription, {
      audio_codec: 'opus',
      video_codec: 'H264',
      media_session_id: randomBytes(16).toString('hex'),
      mode,
      secret_key: [...this.key],
      dave_protocol_version: version,
    });
    return null;
  }
}

/** Where a socket stands before it has a session. */
export interface SocketContext {
  /** The session this grant identifies, or null (unknown token, user, guild or session id). */
  identify(d: any): VoiceSession | null;
  /** The session a resume names, or null. */
  resume(d: any): VoiceSession | null;
}

/** Runs one voice WebSocket: hello at once, then the handshake; a session it creates or resumes keeps it. */
export function runVoiceSocket(ws: WebSocket, host: SessionHost, context: SocketContext): void {
  let session: VoiceSession | null = null;
  let lastBeat = Date.now();
  const close = (code: number, reason: string) => {
    host.log(session, 'out', -1, { close: code, reason });
    ws.close(code, reason);
  };
  const send = (op: number, d: unknown) => {
    ws.send(JSON.stringify({ op, d }));
    host.log(session, 'out', op, d);
  };
  send(VoiceOp.Hello, { v: 8, heartbeat_interval: host.heartbeatIntervalMs });
  const watchdog = setInterval(() => {
    if (Date.now() - lastBeat > host.heartbeatIntervalMs * 2 + 1_000) close(VoiceClose.SessionTimeout, 'Session timeout');
  }, host.heartbeatIntervalMs).unref();
  ws.on('close', () => {
    clearInterval(watchdog);
    if (session?.socket === ws) session.socket = null;
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (isBinary) {
      if (!session) return close(VoiceClose.NotAuthenticated, 'Not authenticated');
      host.log(session, 'in', data[0]!, { bytes: data.length - 1 });
      if (data[0] === DaveOp.KeyPackage || data[0] === DaveOp.CommitWelcome) return host.dave(session, data[0], data.subarray(1));
      return close(VoiceClose.UnknownOpcode, 'Unknown opcode');
    }
    let payload: any;
    try {
      payload = JSON.parse(data.toString());
    } catch {
      return close(VoiceClose.DecodeError, 'Failed to decode payload');
    }
    const { op, d } = payload ?? {};
    host.log(session, 'in', op, d);
    if (!KNOWN_OPS.has(op)) return close(VoiceClose.UnknownOpcode, 'Unknown opcode');
    if (op === VoiceOp.Heartbeat) {
      lastBeat = Date.now();
      return send(VoiceOp.HeartbeatAck, { t: d?.t ?? d });
    }
    if (op === VoiceOp.Identify) {
      if (session) return close(VoiceClose.AlreadyAuthenticated, 'Already authenticated');
      session = context.identify(d);
      if (!session) return close(VoiceClose.AuthenticationFailed, 'Authentication failed');
      session.socket = ws;
      session.maxDaveVersion = Number(d?.max_dave_protocol_version ?? 0) || 0;
      return session.sendJson(VoiceOp.Ready, { ssrc: session.ssrc, ip: '127.0.0.1', port: host.udpPort, modes: [...host.modes], heartbeat_interval: 1 });
    }
    if (op === VoiceOp.Resume) {
      if (session) return close(VoiceClose.AlreadyAuthenticated, 'Already authenticated');
      const resumed = context.resume(d);
      if (!resumed) return close(VoiceClose.SessionNoLongerValid, 'Session no longer valid');
      if (resumed.socket && resumed.socket !== ws) resumed.socket.close(VoiceClose.SessionNoLongerValid, 'Resumed elsewhere');
      session = resumed;
      session.socket = ws;
      send(VoiceOp.Resumed, null);
      if (!session.replay(Number(d?.seq_ack ?? -1))) return close(VoiceClose.SessionNoLongerValid, 'Session no longer valid');
      return;
    }
    if (!session) return close(VoiceClose.NotAuthenticated, 'Not authenticated');
    if (op === VoiceOp.SelectProtocol) {
      if (session.mode) return;
      const refused = session.select(d);
      if (refused === VoiceClose.UnknownProtocol) return close(refused, 'Unknown protocol');
      if (refused === VoiceClose.UnknownEncryptionMode) return close(refused, 'Unknown encryption mode');
      return;
    }
    if (op === VoiceOp.Speaking) {
      if (Number(d?.ssrc) !== session.ssrc) return;
      session.speakingFlags = Number(d?.speaking) || 0;
      return host.speaking(session, session.speakingFlags);
    }
    host.dave(session, op, d);
  });
}

export { ENCRYPTION_MODES };
