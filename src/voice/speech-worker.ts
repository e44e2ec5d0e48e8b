/**
 * The speech worker (a worker thread, one per sentence): eSpeak NG compiled to WebAssembly turns
 * the text into 16-bit mono PCM, which is resampled to 48 kHz stereo and encoded with opusscript
 * into 20 ms Opus packets — what a Discord voice connection sends. Everything CPU-bound of the
 * greeting's audio happens here, never on the bot's event loop. Started by `synthesize()`
 * (speech.ts) with a {@link SpeechJob} as workerData; answers with one {@link SpeechReply}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import OpusScript from 'opusscript';

export interface SpeechJob {
  text: string;
  voice: string;
  /** Words per minute. */
  speed: number;
  /** The module to load eSpeak NG from (a package name or a file URL). */
  engine: string;
}

export type SpeechReply =
  /** All packets back to back in `data`; `sizes[i]` is the length of packet i. */
  { ok: true; data: Uint8Array; sizes: number[] } | { ok: false; error: string };

/** Discord's voice format: 48 kHz stereo, 20 ms frames. */
export const OPUS_RATE = 48_000;
export const FRAME_SAMPLES = 960;
const CHANNELS = 2;
/** 64 kbit/s, as the greeting always used: plenty for one voice. */
const BITRATE = 64_000;
/** OPUS_SET_BITRATE_REQUEST (opus_defines.h). */
const OPUS_SET_BITRATE = 4002;

/**
 * The text as plain words for espeak_Synth: the glue sets espeakSSML and espeakPHONEMES, so `<`, `>`
 * and `&` become entities (spoken as characters, never a tag) and `[[`/`]]` are split (never phoneme
 * input). A display name is thus always said, never obeyed.
 */
export function plainText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\[(?=\[)/g, '[ ')
    .replace(/\](?=\])/g, '] ');
}

/**
 * 16-bit mono at `fromRate` → interleaved 16-bit stereo at 48 kHz, by cubic (Catmull-Rom)
 * interpolation: plenty for a synthetic voice, and cheap.
 */
export function toDiscordPcm(mono: Int16Array, fromRate: number): Int16Array {
  const outLength = Math.ceil((mono.length * OPUS_RATE) / fromRate);
  const out = new Int16Array(outLength * CHANNELS);
  const step = fromRate / OPUS_RATE;
  const at = (i: number) => mono[Math.min(Math.max(i, 0), mono.length - 1)]!;
  for (let n = 0; n < outLength; n++) {
    const x = n * step;
    const i = Math.floor(x);
    const t = x - i;
    const p0 = at(i - 1);
    const p1 = at(i);
    const p2 = at(i + 1);
    const p3 = at(i + 2);
    const v = p1 + 0.5 * t * (p2 - p0 + t * (2 * p0 - 5 * p1 + 4 * p2 - p3 + t * (3 * (p1 - p2) + p3 - p0)));
    const s = Math.max(-32768, Math.min(32767, Math.round(v)));
    out[n * CHANNELS] = s;
    out[n * CHANNELS + 1] = s;
  }
  return out;
}

/** Interleaved 48 kHz stereo → Opus packets of 20 ms each; the last frame is padded with silence. */
export function encodeOpus(pcm: Int16Array): Buffer[] {
  const encoder = new OpusScript(OPUS_RATE, CHANNELS, OpusScript.Application.AUDIO);
  try {
    encoder.encoderCTL(OPUS_SET_BITRATE, BITRATE);
    const frame = FRAME_SAMPLES * CHANNELS;
    const packets: Buffer[] = [];
    for (let start = 0; start < pcm.length; start += frame) {
      const chunk = new Int16Array(frame);
      chunk.set(pcm.subarray(start, Math.min(start + frame, pcm.length)));
      packets.push(encoder.encode(Buffer.from(chunk.buffer), FRAME_SAMPLES));
    }
    return packets;
  } finally {
    encoder.delete();
  }
}

async function speak(job: SpeechJob): Promise<Buffer[]> {
  const engine = await import(job.engine).then(
    (m: { default: typeof import('@echogarden/espeak-ng-emscripten').default }) => m.default,
    (error: Error) => {
      throw new Error(`eSpeak NG could not be loaded (${job.engine}): ${error.message}`);
    },
  );
  // eSpeak's own messages (e.g. "Bad voice attribute: mbrola" while it lists voices) stay out of the bot's output.
  const module = await engine({ print: () => undefined, printErr: () => undefined });
  const espeak = new module.eSpeakNGWorker();
  // As the espeak-ng command line does with `-v`: a voice by name, else by language (`en-gb` is
  // the language of the voice named `gmw/en`), each with an optional `+variant`.
  if (espeak.set_voice(job.voice) !== 0 && espeak.set_voice('', job.voice, 0, 0, 0) !== 0) {
    throw new Error(`eSpeak NG has no voice "${job.voice}"`);
  }
  espeak.rate = job.speed;
  const chunks: Int16Array[] = [];
  espeak.synthesize(plainText(job.text), (samples) => {
    chunks.push(samples);
    return false;
  });
  const mono = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    mono.set(chunk, offset);
    offset += chunk.length;
  }
  return encodeOpus(toDiscordPcm(mono, espeak.get_samplerate()));
}

if (parentPort && (workerData as { job?: SpeechJob } | null)?.job) {
  const port = parentPort;
  speak((workerData as { job: SpeechJob }).job).then(
    (packets) => {
      const data = Buffer.concat(packets);
      const reply: SpeechReply = { ok: true, data, sizes: packets.map((p) => p.length) };
      port.postMessage(reply);
    },
    (error: unknown) => {
      const reply: SpeechReply = { ok: false, error: error instanceof Error ? error.message : String(error) };
      port.postMessage(reply);
    },
  );
}
