/**
 * An emulated member's voice client in a media session: a DAVE client built on @snazzah/davey (the
 * library @discordjs/voice uses), doing what a member's Discord client does with each opcode — so
 * the bot's frames reach the emulator end-to-end encrypted and are decrypted here as a member's
 * client would. A member flagged without DAVE support is a client at protocol version 0.
 * Replies go back to the media session on the next turn of the event loop, as over a socket.
 */
import davey from '@snazzah/davey';
import { DaveOp, type MediaSession, type Participant } from './delivery.js';

/** davey's MediaType.AUDIO (a const enum, which cannot be read at run time here). */
const AUDIO = 0;
/** The DAVE frame trailer's magic marker. */
const MAGIC = 0xfafa;

export class EmulatedVoiceClient implements Participant {
  readonly maxDaveVersion: number;
  #session: davey.DAVESession | null = null;
  #version = 0;
  readonly #pending = new Map<number, number>();
  readonly #connected = new Set<string>();
  #closed = false;
  /** What went wrong inside this client (tests assert it stays empty). */
  readonly errors: string[] = [];

  constructor(
    readonly userId: string,
    readonly channelId: string,
    readonly media: MediaSession,
    dave: boolean,
  ) {
    this.maxDaveVersion = dave ? davey.DAVE_PROTOCOL_VERSION : 0;
  }

  sendJson(op: number, d: any): void {
    setImmediate(() => this.#guard(() => this.#onJson(op, d)));
  }

  sendBinary(op: number, payload: Buffer): void {
    setImmediate(() => this.#guard(() => this.#onBinary(op, payload)));
  }

  close(): void {
    this.#closed = true;
    try {
      this.#session?.reset();
    } catch {
      // already gone
    }
  }

  /**
   * A frame from `senderId` as this client's decryptor sees it: a DAVE frame (magic marker) is
   * decrypted with the group's key for that sender; anything else passes through.
   */
  open(senderId: string, frame: Buffer): { frame: Buffer; kind: 'dave' | 'plain' } | { frame: null; kind: 'undecryptable' } {
    const isDave = frame.length > 3 && frame.readUInt16BE(frame.length - 2) === MAGIC;
    if (!isDave) return { frame, kind: 'plain' };
    if (!this.#session?.ready) return { frame: null, kind: 'undecryptable' };
    try {
      return { frame: this.#session.decrypt(senderId, AUDIO, frame), kind: 'dave' };
    } catch {
      return { frame: null, kind: 'undecryptable' };
    }
  }

  #guard(run: () => void): void {
    if (this.#closed) return;
    try {
      run();
    } catch (error) {
      this.errors.push((error as Error).message);
    }
  }

  #sendKeyPackage(): void {
    this.media.keyPackage(this.userId, this.#session!.getSerializedKeyPackage());
  }

  #reinit(): void {
    if (this.#session) this.#session.reinit(this.#version, this.userId, this.channelId);
    else this.#session = new davey.DAVESession(this.#version, this.userId, this.channelId);
  }

  #onJson(op: number, d: any): void {
    if (op === DaveOp.ClientsConnect) for (const id of d.user_ids as string[]) this.#connected.add(id);
    else if (op === DaveOp.ClientDisconnect) this.#connected.delete(d.user_id);
    else if (op === DaveOp.PrepareTransition) {
      this.#pending.set(d.transition_id, d.protocol_version);
      if (d.transition_id === 0) this.#execute(0);
      else {
        if (d.protocol_version === 0) this.#session?.setPassthroughMode(true, 24);
        this.media.ready(this.userId, d.transition_id);
      }
    } else if (op === DaveOp.ExecuteTransition) this.#execute(d.transition_id);
    else if (op === DaveOp.PrepareEpoch && d.epoch === 1) {
      this.#version = d.protocol_version;
      if (this.#session) {
        this.#reinit();
        this.#sendKeyPackage();
      }
    }
  }

  #execute(transitionId: number): void {
    const version = this.#pending.get(transitionId);
    if (version === undefined) return;
    this.#pending.delete(transitionId);
    this.#version = version;
  }

  #onBinary(op: number, payload: Buffer): void {
    if (this.maxDaveVersion === 0) return;
    if (op === DaveOp.ExternalSender) {
      if (this.#version === 0) this.#version = 1;
      this.#reinit();
      this.#session!.setExternalSender(payload);
      this.#sendKeyPackage();
    } else if (op === DaveOp.Proposals && this.#session) {
      const { commit, welcome } = this.#session.processProposals(payload[0]!, payload.subarray(1), [...this.#connected]);
      if (commit) this.media.commitWelcome(this.userId, welcome ? Buffer.concat([commit, welcome]) : commit);
    } else if ((op === DaveOp.AnnounceCommitTransition || op === DaveOp.Welcome) && this.#session) {
      const transitionId = payload.readUInt16BE(0);
      try {
        if (op === DaveOp.Welcome) this.#session.processWelcome(payload.subarray(2));
        else this.#session.processCommit(payload.subarray(2));
      } catch (error) {
        this.errors.push(`op ${op}: ${(error as Error).message}`);
        this.media.invalid(this.userId);
        this.#reinit();
        this.#sendKeyPackage();
        return;
      }
      this.#pending.set(transitionId, this.#version);
      this.media.ready(this.userId, transitionId);
    }
  }
}
