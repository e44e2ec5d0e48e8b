/**
 * The emulator's voice server: the `endpoint` VOICE_SERVER_UPDATE names. A TLS WebSocket server
 * (@discordjs/voice always dials `wss://`; the certificate is self-signed, see cert.ts) for the
 * voice gateway, one UDP socket for RTP, a media session per voice channel the bot connects to (in
 * which the members in that channel take part as emulated DAVE clients), and what was heard.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { World } from '../state/world.js';
import type { WireLog } from '../wire.js';
import { selfSignedCertificate } from './cert.js';
import { DaveOp, MediaSession } from './dave/delivery.js';
import { EmulatedVoiceClient } from './dave/member.js';
import { ENCRYPTION_MODES, type EncryptionMode } from './transport-crypto.js';
import { VoiceUdp } from './udp.js';
import { UtteranceRecorder } from './utterances.js';
import { runVoiceSocket, VoiceClose, VoiceSession, type SessionHost, type VoiceGrant } from './ws-session.js';

export interface VoiceServerOptions {
  world: World;
  log: WireLog;
  /** Hello's heartbeat_interval (default 13 750 ms, as Discord's voice gateway sends). */
  heartbeatIntervalMs?: number;
  /** The modes Ready offers, in Discord's order (default both AEAD modes, AES-GCM first). */
  modes?: readonly EncryptionMode[];
  /** How long a voice session whose socket closed can be resumed (default 30 s). */
  resumeWindowMs?: number;
}

interface Channel {
  guildId: string;
  media: MediaSession;
  /** The emulated members' voice clients, by user id. */
  members: Map<string, EmulatedVoiceClient>;
  /** The bot's sessions in it. */
  sessions: Set<VoiceSession>;
}

export class VoiceServer implements SessionHost {
  readonly certificate = selfSignedCertificate();
  readonly modes: readonly EncryptionMode[];
  readonly heartbeatIntervalMs: number;
  readonly utterances = new UtteranceRecorder();
  readonly #https: Server;
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #udp = new VoiceUdp();
  readonly #grants = new Map<string, VoiceGrant>();
  readonly #sessions = new Map<string, VoiceSession>();
  readonly #channels = new Map<string, Channel>();
  readonly #noDave = new Set<string>();
  readonly #expiry = new Map<VoiceSession, NodeJS.Timeout>();
  readonly #resumeWindowMs: number;
  #refuseResume = false;

  constructor(readonly o: VoiceServerOptions) {
    this.modes = o.modes ?? ENCRYPTION_MODES;
    this.heartbeatIntervalMs = o.heartbeatIntervalMs ?? 13_750;
    this.#resumeWindowMs = o.resumeWindowMs ?? 30_000;
    this.#https = createServer({ key: this.certificate.key, cert: this.certificate.cert }, (_req, res) => res.writeHead(426).end());
    this.#https.on('upgrade', (req, socket, head) => {
      socket.on('error', () => socket.destroy());
      this.#wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', () => undefined);
        runVoiceSocket(ws, this, { identify: (d) => this.#identify(d), resume: (d) => this.#resume(d) });
        ws.on('close', () => this.#socketClosed());
      });
    });
  }

  async listen(): Promise<void> {
    await this.#udp.listen();
    await new Promise<void>((resolve) => this.#https.listen(0, '127.0.0.1', resolve));
  }

  /** `127.0.0.1:port`, as VOICE_SERVER_UPDATE's `endpoint` (no scheme, as Discord sends it). */
  get endpoint(): string {
    return `127.0.0.1:${(this.#https.address() as AddressInfo).port}`;
  }

  get udpPort(): number {
    return this.#udp.port;
  }

  /** VOICE_SERVER_UPDATE was sent with this token: the bot may identify with it. */
  grant(grant: VoiceGrant): void {
    for (const [token, g] of this.#grants) if (g.guildId === grant.guildId && g.userId === grant.userId) this.#grants.delete(token);
    this.#grants.set(grant.token, grant);
  }

  /** Whether a member's client supports DAVE (default yes); takes effect when it next connects. */
  setDaveSupport(userId: string, supported: boolean): void {
    if (supported) this.#noDave.delete(userId);
    else this.#noDave.add(userId);
  }

  /** Voice sessions live now. */
  get sessions(): { userId: string; guildId: string; channelId: string; ssrc: number; mode: string | null; connected: boolean; daveVersion: number | null; speaking: boolean }[] {
    return [...this.#sessions.values()].map((s) => ({
      userId: s.userId,
      guildId: s.grant.guildId,
      channelId: s.grant.channelId,
      ssrc: s.ssrc,
      mode: s.mode,
      connected: s.socket !== null,
      daveVersion: this.#channels.get(s.grant.channelId)?.media.protocolVersion ?? null,
      speaking: s.speakingFlags !== 0,
    }));
  }

  /** The emulated members' DAVE client errors, by user id (tests expect none). */
  memberErrors(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const c of this.#channels.values()) for (const m of c.members.values()) if (m.errors.length > 0) out[m.userId] = [...m.errors];
    return out;
  }

  /**
   * The voice server goes away: every voice socket is cut (the client sees 1006). `resumable: false`
   * also forgets the sessions, so a resume is closed with 4006 and the client must join again.
   */
  drop(opts: { resumable?: boolean } = {}): number {
    let n = 0;
    this.#refuseResume = opts.resumable === false;
    for (const s of [...this.#sessions.values()]) {
      if (s.socket) {
        s.socket.terminate();
        n++;
      }
      if (opts.resumable === false) this.#end(s, null);
    }
    return n;
  }

  /** A voice state changed in the world: the bot leaving or moving ends its session (4014); members join or leave media sessions. */
  voiceStateChanged(guildId: string, userId: string, channelId: string | null): void {
    for (const s of [...this.#sessions.values()]) if (s.userId === userId && s.grant.guildId === guildId && s.grant.channelId !== channelId) this.#end(s, VoiceClose.Disconnected);
    for (const [id, c] of this.#channels) {
      if (c.guildId !== guildId || userId === this.o.world.botUserId) continue;
      if (id !== channelId && c.members.has(userId)) this.#memberLeaves(c, userId);
      if (id === channelId && !c.members.has(userId)) this.#memberJoins(c, id, userId);
    }
  }

  // ── SessionHost ───────────────────────────────────────────────────────────

  claimSsrc(ssrc: number, handler: (packet: Buffer) => void): void {
    this.#udp.claim(ssrc, handler);
  }

  joinMedia(session: VoiceSession): number {
    const { guildId, channelId } = session.grant;
    let c = this.#channels.get(channelId);
    if (!c) {
      c = { guildId, media: new MediaSession(channelId), members: new Map(), sessions: new Set() };
      this.#channels.set(channelId, c);
      const guild = this.o.world.guilds.get(guildId);
      for (const v of guild?.voice.values() ?? []) if (v.channelId === channelId && v.userId !== this.o.world.botUserId) this.#memberJoins(c, channelId, v.userId);
    }
    c.sessions.add(session);
    const version = c.media.versionWith(session);
    // After the session description: the client makes its DAVE session when that arrives.
    setImmediate(() => c.media.join(session));
    return version;
  }

  dave(session: VoiceSession, op: number, payload: any): void {
    const media = this.#channels.get(session.grant.channelId)?.media;
    if (!media) return;
    if (op === DaveOp.KeyPackage) media.keyPackage(session.userId, payload);
    else if (op === DaveOp.CommitWelcome) media.commitWelcome(session.userId, payload);
    else if (op === DaveOp.TransitionReady) media.ready(session.userId, Number(payload?.transition_id));
    else if (op === DaveOp.InvalidCommitWelcome) media.invalid(session.userId);
  }

  speaking(session: VoiceSession, speaking: number): void {
    if (speaking === 0) this.utterances.end(session.grant.guildId, session.userId);
  }

  /** A frame from the bot: the first member's client in the channel opens it, as a listener would. */
  frame(session: VoiceSession, frame: Buffer): void {
    const c = this.#channels.get(session.grant.channelId);
    const listener = c ? ([...c.members.values()].find((m) => m.maxDaveVersion > 0) ?? [...c.members.values()][0]) : undefined;
    const isDave = frame.length > 3 && frame.readUInt16BE(frame.length - 2) === 0xfafa;
    const opened = listener ? listener.open(session.userId, frame) : isDave ? { frame: null, kind: 'undecryptable' as const } : { frame, kind: 'plain' as const };
    this.utterances.frame({ guildId: session.grant.guildId, channelId: session.grant.channelId, userId: session.userId }, opened.frame ?? frame, opened.kind, Date.now());
  }

  ended(session: VoiceSession): void {
    this.#end(session, null);
  }

  log(session: VoiceSession | null, direction: 'in' | 'out', op: number, d?: unknown): void {
    if (op === 3 || op === 6) return;
    this.o.log.push({ kind: 'voice', direction, userId: session?.userId ?? null, op, ...(d === undefined ? {} : { d }) });
  }

  // ── inside ────────────────────────────────────────────────────────────────

  #identify(d: any): VoiceSession | null {
    const grant = this.#grants.get(String(d?.token));
    if (!grant || grant.guildId !== String(d?.server_id) || grant.userId !== String(d?.user_id) || grant.sessionId !== String(d?.session_id)) return null;
    const old = [...this.#sessions.values()].find((s) => s.grant.guildId === grant.guildId && s.userId === grant.userId);
    if (old) this.#end(old, VoiceClose.SessionNoLongerValid);
    const session = new VoiceSession(grant, this);
    this.#sessions.set(grant.token, session);
    this.#refuseResume = false;
    return session;
  }

  #resume(d: any): VoiceSession | null {
    const session = this.#sessions.get(String(d?.token));
    if (this.#refuseResume || !session || session.grant.guildId !== String(d?.server_id) || session.grant.sessionId !== String(d?.session_id)) return null;
    clearTimeout(this.#expiry.get(session));
    this.#expiry.delete(session);
    return session;
  }

  /** A socket closed: a session left without one is ended once the resume window passes. */
  #socketClosed(): void {
    for (const s of this.#sessions.values()) {
      if (s.socket || this.#expiry.has(s)) continue;
      this.#expiry.set(
        s,
        setTimeout(() => this.#end(s, null), this.#resumeWindowMs),
      );
    }
  }

  #end(session: VoiceSession, code: number | null): void {
    if (session.ended) return;
    session.ended = true;
    clearTimeout(this.#expiry.get(session));
    this.#expiry.delete(session);
    this.#sessions.delete(session.grant.token);
    this.#grants.delete(session.grant.token);
    this.#udp.release(session.ssrc);
    if (session.socket && code !== null) session.socket.close(code, code === VoiceClose.Disconnected ? 'Disconnected' : 'Session no longer valid');
    this.utterances.end(session.grant.guildId, session.userId);
    const c = this.#channels.get(session.grant.channelId);
    if (!c) return;
    c.sessions.delete(session);
    c.media.leave(session.userId);
    if (c.sessions.size === 0) {
      for (const m of c.members.values()) m.close();
      c.media.close();
      this.#channels.delete(session.grant.channelId);
    }
  }

  #memberJoins(c: Channel, channelId: string, userId: string): void {
    const client = new EmulatedVoiceClient(userId, channelId, c.media, !this.#noDave.has(userId));
    c.members.set(userId, client);
    c.media.join(client);
  }

  #memberLeaves(c: Channel, userId: string): void {
    c.members.get(userId)?.close();
    c.members.delete(userId);
    c.media.leave(userId);
  }

  async close(): Promise<void> {
    for (const s of [...this.#sessions.values()]) this.#end(s, null);
    for (const ws of this.#wss.clients) ws.terminate();
    this.utterances.close();
    await this.#udp.close();
    await new Promise<void>((resolve) => {
      this.#https.close(() => resolve());
      this.#https.closeAllConnections();
    });
  }
}
