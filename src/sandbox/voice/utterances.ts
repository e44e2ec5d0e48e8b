/**
 * What the emulator heard: each speaker's Opus frames (after transport and DAVE decryption) decoded
 * with opusscript to 48 kHz stereo PCM and cut into utterances — from the first frame after the
 * speaker starts until it stops speaking (op 5 with 0), goes quiet for a second, or disconnects.
 * Discord's five silence frames (F8 FF FE) are heard but neither counted nor kept.
 */
import OpusScript from 'opusscript';

export const SAMPLE_RATE = 48_000;
export const CHANNELS = 2;
const SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);
/** An utterance ends after this long without a frame. */
const QUIET_MS = 1_000;
/** Kept utterances (oldest dropped first) and the longest stretch of audio kept per utterance. */
const MAX_UTTERANCES = 50;
const MAX_SECONDS = 120;

/** One utterance as `GET /control/voice/utterances` lists it. */
export interface Utterance {
  guild_id: string;
  channel_id: string;
  user_id: string;
  /** Opus frames received (silence frames not counted). */
  packets: number;
  duration_ms: number;
  /** Root mean square of the decoded samples, 0 (silence) … 1 (full scale). */
  rms: number;
  /** Every frame arrived end-to-end encrypted (DAVE) and was decrypted by a member of the channel. */
  dave: boolean;
  /** Frames that came without DAVE (passthrough) and DAVE frames no member could decrypt. */
  plain_packets: number;
  undecryptable_packets: number;
  started_at: string;
  /** Still being spoken. */
  open: boolean;
}

interface Open {
  info: Utterance;
  pcm: Buffer[];
  samples: number;
  sumSquares: number;
  quiet: NodeJS.Timeout;
}

/** How a frame reached the listener. */
export type FrameKind = 'dave' | 'plain' | 'undecryptable';

export class UtteranceRecorder {
  readonly #done: { info: Utterance; pcm: Buffer }[] = [];
  readonly #open = new Map<string, Open>();
  readonly #decoders = new Map<string, OpusScript>();
  /** Called when an utterance starts or ends (the page's speaking ring, tests waiting). */
  onChange: () => void = () => {};

  /** A frame from `userId` in a channel: decoded (when it could be decrypted) and added to its open utterance. */
  frame(where: { guildId: string; channelId: string; userId: string }, frame: Buffer, kind: FrameKind, at: number): void {
    if (frame.equals(SILENCE)) return;
    const key = `${where.guildId}:${where.userId}`;
    let open = this.#open.get(key);
    if (open && open.info.channel_id !== where.channelId) this.end(where.guildId, where.userId);
    open = this.#open.get(key);
    if (!open) {
      const info: Utterance = {
        guild_id: where.guildId,
        channel_id: where.channelId,
        user_id: where.userId,
        packets: 0,
        duration_ms: 0,
        rms: 0,
        dave: true,
        plain_packets: 0,
        undecryptable_packets: 0,
        started_at: new Date(at).toISOString(),
        open: true,
      };
      open = { info, pcm: [], samples: 0, sumSquares: 0, quiet: setTimeout(() => undefined, 0) };
      this.#open.set(key, open);
      this.onChange();
    }
    clearTimeout(open.quiet);
    open.quiet = setTimeout(() => this.end(where.guildId, where.userId), QUIET_MS).unref();
    open.info.packets++;
    if (kind === 'plain') open.info.plain_packets++;
    if (kind === 'undecryptable') open.info.undecryptable_packets++;
    if (kind !== 'dave') open.info.dave = false;
    if (kind === 'undecryptable') return;
    const pcm = this.#decode(key, frame);
    if (!pcm || open.samples / SAMPLE_RATE > MAX_SECONDS) return;
    open.pcm.push(pcm);
    const frames = pcm.length / (2 * CHANNELS);
    open.samples += frames;
    for (let i = 0; i < pcm.length; i += 2) {
      const s = pcm.readInt16LE(i) / 32768;
      open.sumSquares += s * s;
    }
    open.info.duration_ms = Math.round((open.samples / SAMPLE_RATE) * 1000);
    open.info.rms = Math.sqrt(open.sumSquares / Math.max(1, open.samples * CHANNELS));
  }

  #decode(key: string, frame: Buffer): Buffer | null {
    let decoder = this.#decoders.get(key);
    if (!decoder) {
      decoder = new OpusScript(SAMPLE_RATE, CHANNELS, OpusScript.Application.AUDIO);
      this.#decoders.set(key, decoder);
    }
    try {
      return Buffer.from(decoder.decode(frame));
    } catch {
      return null;
    }
  }

  /** Ends `userId`'s open utterance in the guild (stopped speaking, quiet, left). */
  end(guildId: string, userId: string): void {
    const key = `${guildId}:${userId}`;
    const open = this.#open.get(key);
    if (!open) return;
    clearTimeout(open.quiet);
    this.#open.delete(key);
    this.#decoders.get(key)?.delete();
    this.#decoders.delete(key);
    open.info.open = false;
    this.#done.push({ info: open.info, pcm: Buffer.concat(open.pcm) });
    if (this.#done.length > MAX_UTTERANCES) this.#done.shift();
    this.onChange();
  }

  /** Finished utterances, oldest first, then the ones still being spoken. */
  list(): Utterance[] {
    return [...this.#done.map((u) => ({ ...u.info })), ...[...this.#open.values()].map((o) => ({ ...o.info }))];
  }

  /** Whether `userId` is speaking right now (an utterance is open). */
  speaking(guildId: string, userId: string): boolean {
    return this.#open.has(`${guildId}:${userId}`);
  }

  /** The n-th finished utterance (index in {@link list}) as a WAV file, or null. */
  wav(n: number): Buffer | null {
    const u = this.#done[n];
    return u ? wavFile(u.pcm) : null;
  }

  close(): void {
    for (const open of this.#open.values()) clearTimeout(open.quiet);
    for (const decoder of this.#decoders.values()) decoder.delete();
    this.#decoders.clear();
  }
}

/** A RIFF/WAVE file around 16-bit little-endian interleaved PCM at 48 kHz stereo. */
export function wavFile(pcm: Buffer): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(CHANNELS, 22);
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * CHANNELS * 2, 28);
  header.writeUInt16LE(CHANNELS * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(pcm.length, 40);
  return Buffer.concat([header, pcm]);
}
