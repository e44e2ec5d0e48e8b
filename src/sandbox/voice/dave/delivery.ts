/**
 * One voice channel's media session as Discord's voice gateway runs it for DAVE: it chooses the
 * protocol version (1 when every client supports DAVE, else 0: a downgrade), is the MLS delivery
 * service and external sender (proposes Add for each key package, Remove for each member who
 * leaves), picks the first valid commit of an epoch, forwards it (op 29) and its Welcome (op 30),
 * and executes each transition (op 22) once every member is ready (op 23) or after a timeout.
 * @see https://daveprotocol.com/#group-key-exchange
 * @see https://discord.com/developers/docs/topics/voice-connections#end-to-end-encryption-dave-protocol
 */
import { addProposal, ExternalSender, groupIdOf, readCommitWelcome, readKeyPackageMessage, removeProposal, vec } from './mls.js';

/** Voice opcodes of the DAVE protocol. */
export const DaveOp = {
  ClientsConnect: 11,
  ClientDisconnect: 13,
  PrepareTransition: 21,
  ExecuteTransition: 22,
  TransitionReady: 23,
  PrepareEpoch: 24,
  ExternalSender: 25,
  KeyPackage: 26,
  Proposals: 27,
  CommitWelcome: 28,
  AnnounceCommitTransition: 29,
  Welcome: 30,
  InvalidCommitWelcome: 31,
} as const;

/** A client in the media session: the bot's voice WebSocket, or an emulated member's client. */
export interface Participant {
  userId: string;
  /** Its highest DAVE protocol version (0: no DAVE). */
  maxDaveVersion: number;
  sendJson(op: number, d: unknown): void;
  sendBinary(op: number, payload: Buffer): void;
}

interface Member {
  p: Participant;
  leaf: number | null;
  keyPackage: Buffer | null;
}

interface Proposal {
  ref: Buffer;
  message: Buffer;
  add?: string;
  remove?: number;
}

/** How long a transition waits for every member's op 23 before it is executed anyway. */
const TRANSITION_TIMEOUT_MS = 1_000;

export class MediaSession {
  readonly external = new ExternalSender();
  readonly #groupId: Buffer;
  readonly #members = new Map<string, Member>();
  #version = 1;
  #established = false;
  #epoch = 0n;
  #proposals: Proposal[] = [];
  #transition: { id: number; version: number; waiting: Set<string>; timer: NodeJS.Timeout } | null = null;
  #nextTransition = 1;
  /** Commits and key packages refused, with why (tests and the log read them). */
  readonly refused: string[] = [];

  constructor(readonly channelId: string) {
    this.#groupId = groupIdOf(channelId);
  }

  /** The DAVE protocol version of the session: 1 when every client (and `joining`) supports it. */
  versionWith(joining?: Participant): number {
    const all = [...[...this.#members.values()].map((m) => m.p), ...(joining ? [joining] : [])];
    return all.every((p) => p.maxDaveVersion >= 1) ? 1 : 0;
  }

  get protocolVersion(): number {
    return this.#version;
  }

  get epoch(): bigint {
    return this.#epoch;
  }

  /** Adds a client: tells it who is connected, tells the others about it, downgrades if it has no DAVE. */
  join(p: Participant): void {
    const others = [...this.#members.values()].map((m) => m.p);
    this.#members.set(p.userId, { p, leaf: null, keyPackage: null });
    for (const o of others) o.sendJson(DaveOp.ClientsConnect, { user_ids: [p.userId] });
    if (others.length > 0) p.sendJson(DaveOp.ClientsConnect, { user_ids: others.map((o) => o.userId) });
    if (p.maxDaveVersion < 1) {
      if (this.#version >= 1) this.#downgrade();
      return;
    }
    if (this.#version >= 1) p.sendBinary(DaveOp.ExternalSender, this.external.package);
  }

  /** A client disconnected: the others are told; its leaf is removed, or a sole member reset; an upgrade if it was the last without DAVE. */
  leave(userId: string): void {
    const gone = this.#members.get(userId);
    if (!gone) return;
    this.#members.delete(userId);
    for (const m of this.#members.values()) m.p.sendJson(DaveOp.ClientDisconnect, { user_id: userId });
    this.#transition?.waiting.delete(userId);
    this.#revokeAddsOf(userId);
    if (this.#members.size === 0) return this.#clearTransition();
    if (this.#version === 0) {
      if (this.versionWith() === 1) this.#recreate();
      return;
    }
    const group = this.#group();
    if (gone.leaf === null || !this.#established) return;
    if (group.length <= 1) return this.#recreate();
    this.#propose({ ...this.external.proposal(this.#groupId, this.#epoch, removeProposal(gone.leaf)), remove: gone.leaf }, group);
  }

  /** Opcode 26: a pending member's key package. */
  keyPackage(userId: string, message: Buffer): void {
    const member = this.#members.get(userId);
    if (!member || this.#version === 0) return;
    let keyPackage: Buffer;
    try {
      const read = readKeyPackageMessage(message);
      if (read.userId !== userId) throw new Error(`its credential names ${read.userId}`);
      keyPackage = read.keyPackage;
    } catch (error) {
      this.refused.push(`key package of ${userId}: ${(error as Error).message}`);
      return;
    }
    this.#revokeAddsOf(userId);
    member.keyPackage = keyPackage;
    const extra: Proposal[] = [];
    if (member.leaf !== null && this.#established) {
      extra.push({ ...this.external.proposal(this.#groupId, this.#epoch, removeProposal(member.leaf)), remove: member.leaf });
      member.leaf = null;
    }
    const add = { ...this.external.proposal(this.#groupId, this.#epoch, addProposal(keyPackage)), add: userId };
    if (this.#established) return this.#propose([...extra, add], this.#group());
    // No group yet: every other pending member gets the new Add; the newcomer gets the Adds in flight.
    const inFlight = [...this.#proposals];
    this.#proposals.push(add);
    const pending = [...this.#members.values()].filter((m) => m.keyPackage !== null && m.p.userId !== userId);
    for (const m of pending) m.p.sendBinary(DaveOp.Proposals, proposalsPayload([add]));
    if (inFlight.length > 0) member.p.sendBinary(DaveOp.Proposals, proposalsPayload(inFlight));
  }

  /** Opcode 28: the first valid commit of the epoch wins and is announced; any other is dropped. */
  commitWelcome(userId: string, payload: Buffer): void {
    const committer = this.#members.get(userId);
    if (!committer || this.#version === 0 || this.#transition) return;
    let cw;
    try {
      cw = readCommitWelcome(payload);
    } catch (error) {
      this.refused.push(`commit of ${userId}: ${(error as Error).message}`);
      return;
    }
    if (cw.epoch !== this.#epoch) return; // a commit for a past epoch: someone else's won
    const used = cw.refs.map((ref) => this.#proposals.find((p) => p.ref.equals(ref)));
    if (used.length === 0 || used.some((p) => p === undefined)) {
      this.refused.push(`commit of ${userId}: references a proposal that was not sent`);
      return;
    }
    const announced = this.#established ? this.#group() : [committer];
    if (!this.#established) committer.leaf = cw.sender;
    for (const p of used) if (p!.remove !== undefined) for (const m of this.#members.values()) if (m.leaf === p!.remove) m.leaf = null;
    const welcomed: Member[] = [];
    for (const p of used) {
      const m = p!.add ? this.#members.get(p!.add) : undefined;
      if (!m) continue;
      m.leaf = this.#freeLeaf();
      m.keyPackage = null;
      welcomed.push(m);
    }
    if (welcomed.length > 0 && !cw.welcome) {
      this.refused.push(`commit of ${userId}: adds members without a Welcome`);
      return;
    }
    this.#proposals = this.#proposals.filter((p) => !used.includes(p));
    this.#established = true;
    this.#epoch++;
    const id = this.#nextTransitionId();
    for (const m of announced) m.p.sendBinary(DaveOp.AnnounceCommitTransition, Buffer.concat([u16(id), cw.commit]));
    for (const m of welcomed) m.p.sendBinary(DaveOp.Welcome, Buffer.concat([u16(id), cw.welcome!]));
    this.#startTransition(id, this.#version, this.#group());
  }

  /** Opcode 23. */
  ready(userId: string, transitionId: number): void {
    const t = this.#transition;
    if (!t || t.id !== transitionId) return;
    t.waiting.delete(userId);
    if (t.waiting.size === 0) this.#execute();
  }

  /** Opcode 31: the member could not process a commit or Welcome; it leaves the group and sends a new key package. */
  invalid(userId: string): void {
    const member = this.#members.get(userId);
    if (!member) return;
    this.#transition?.waiting.delete(userId);
    if (member.leaf !== null && this.#established && this.#group().length > 1) {
      this.#propose(
        { ...this.external.proposal(this.#groupId, this.#epoch, removeProposal(member.leaf)), remove: member.leaf },
        this.#group().filter((m) => m !== member),
      );
    }
    member.leaf = null;
  }

  close(): void {
    this.#clearTransition();
    this.#members.clear();
  }

  #group(): Member[] {
    return [...this.#members.values()].filter((m) => m.leaf !== null);
  }

  #freeLeaf(): number {
    const taken = new Set(this.#group().map((m) => m.leaf));
    let leaf = 0;
    while (taken.has(leaf)) leaf++;
    return leaf;
  }

  #propose(proposals: Proposal | Proposal[], to: Member[]): void {
    const list = Array.isArray(proposals) ? proposals : [proposals];
    this.#proposals.push(...list);
    for (const m of to) m.p.sendBinary(DaveOp.Proposals, proposalsPayload(list));
  }

  #revokeAddsOf(userId: string): void {
    const revoked = this.#proposals.filter((p) => p.add === userId);
    if (revoked.length === 0) return;
    this.#proposals = this.#proposals.filter((p) => p.add !== userId);
    const payload = Buffer.concat([Buffer.from([1]), vec(Buffer.concat(revoked.map((p) => vec(p.ref))))]);
    for (const m of this.#members.values()) if (m.p.userId !== userId && (m.leaf !== null || m.keyPackage !== null)) m.p.sendBinary(DaveOp.Proposals, payload);
  }

  /** A client without DAVE joined: everyone goes to protocol 0 (passthrough) and the group is dropped. */
  #downgrade(): void {
    this.#version = 0;
    this.#reset();
    const id = this.#nextTransitionId();
    const daveClients = [...this.#members.values()].filter((m) => m.p.maxDaveVersion >= 1);
    for (const m of daveClients) m.p.sendJson(DaveOp.PrepareTransition, { protocol_version: 0, transition_id: id });
    this.#startTransition(id, 0, daveClients);
  }

  /** A new group for protocol 1 (an upgrade, or a sole member reset): everyone sends a key package again. */
  #recreate(): void {
    const upgrade = this.#version === 0;
    this.#version = 1;
    this.#reset();
    for (const m of this.#members.values()) {
      m.p.sendJson(DaveOp.PrepareEpoch, { protocol_version: 1, epoch: 1 });
      if (upgrade) m.p.sendBinary(DaveOp.ExternalSender, this.external.package);
      else m.p.sendJson(DaveOp.PrepareTransition, { protocol_version: 1, transition_id: 0 });
    }
  }

  #reset(): void {
    this.#clearTransition();
    this.#established = false;
    this.#epoch = 0n;
    this.#proposals = [];
    for (const m of this.#members.values()) {
      m.leaf = null;
      m.keyPackage = null;
    }
  }

  #nextTransitionId(): number {
    const id = this.#nextTransition;
    this.#nextTransition = (this.#nextTransition % 0xffff) + 1;
    return id;
  }

  #startTransition(id: number, version: number, members: Member[]): void {
    this.#clearTransition();
    const timer = setTimeout(() => this.#execute(), TRANSITION_TIMEOUT_MS).unref();
    this.#transition = { id, version, waiting: new Set(members.map((m) => m.p.userId)), timer };
  }

  #execute(): void {
    const t = this.#transition;
    if (!t) return;
    this.#clearTransition();
    for (const m of this.#members.values()) if (m.p.maxDaveVersion >= 1) m.p.sendJson(DaveOp.ExecuteTransition, { transition_id: t.id });
    // Pending members whose Add was not in the winning commit are proposed again in the new epoch.
    if (this.#version >= 1 && this.#established) {
      const waiting = [...this.#members.values()].filter((m) => m.leaf === null && m.keyPackage !== null);
      this.#proposals = [];
      if (waiting.length > 0)
        this.#propose(
          waiting.map((m) => ({ ...this.external.proposal(this.#groupId, this.#epoch, addProposal(m.keyPackage!)), add: m.p.userId })),
          this.#group(),
        );
    }
  }

  #clearTransition(): void {
    if (this.#transition) clearTimeout(this.#transition.timer);
    this.#transition = null;
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** Opcode 27 append: operation 0, then the proposal MLSMessages as one vector. */
function proposalsPayload(list: Proposal[]): Buffer {
  return Buffer.concat([Buffer.from([0]), vec(Buffer.concat(list.map((p) => p.message)))]);
}
