import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compiledFile } from '../shared/compiled-file.js';
import type { SpeechJob, SpeechReply } from './speech-worker.js';

/** How the greeting sounds: an eSpeak NG voice (`en-us`, `en-gb`, `en-us+f3`, …) and words per minute. */
export interface Voice {
  voice: string;
  speed: number;
}

export const DEFAULT_VOICE: Voice = { voice: 'en-us', speed: 165 };

/** The npm package eSpeak NG (compiled to WebAssembly) is loaded from. */
export const SPEECH_ENGINE = '@echogarden/espeak-ng-emscripten';

export interface SynthOptions extends Voice {
  /** The worker is terminated and the stream fails after this long. Default 15 s. */
  timeoutMs?: number;
  /** Where to load eSpeak NG from; default {@link SPEECH_ENGINE} (tests point it at something missing). */
  engine?: string;
}

/** A sentence being spoken: its Opus packets (48 kHz stereo, 20 ms each), as Discord plays them. */
export interface Speech {
  /** Object mode, one Buffer per Opus packet; fails once if synthesis fails or the timeout passes. */
  stream: Readable;
  /** Stops the synthesis now (idempotent): terminates the worker, ends the stream. */
  kill(): void;
  /** Settles once the worker thread has exited, however the synthesis ended. */
  closed: Promise<void>;
}

/** Starts the speech worker from wherever this module runs (compiled dist/, or TypeScript via tsx/vitest). */
function startWorker(job: SpeechJob): Worker {
  // stdout/stderr: true keeps anything the worker prints off the bot's own output.
  const io = { stdout: true, stderr: true } as const;
  if (!import.meta.url.endsWith('.ts')) return new Worker(compiledFile(import.meta.url, 'voice/speech-worker.js'), { ...io, workerData: { job } });
  return new Worker(new URL('./worker-boot.mjs', import.meta.url), { ...io, workerData: { job, entry: new URL('./speech-worker.ts', import.meta.url).href } });
}

/**
 * Speaks `text` with eSpeak NG compiled to WebAssembly and encodes it to Opus with opusscript, both
 * in a worker thread (speech-worker.ts), so none of it runs on the event loop and no program needs
 * to be installed. The text reaches espeak_Synth as data, never through a command line, and its
 * markup characters are escaped, so a display name is always spoken, never obeyed.
 */
export function synthesize(text: string, options: SynthOptions): Speech {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const stream = new Readable({ objectMode: true, read: () => undefined });
  // Consumers listen for the error; this one only keeps an unwatched failure from crashing the process.
  stream.on('error', () => undefined);
  const worker = startWorker({ text, voice: options.voice, speed: options.speed, engine: options.engine ?? SPEECH_ENGINE });
  worker.stdout.resume();
  worker.stderr.resume();
  const closed = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  let settled = false;
  /** True the first time only: from then on the worker has nothing more to say. */
  const settle = () => {
    if (settled) return false;
    settled = true;
    clearTimeout(timer);
    void worker.terminate();
    return true;
  };
  const fail = (error: Error) => {
    if (settle()) stream.destroy(error);
  };
  const timer = setTimeout(() => fail(new Error(`speech synthesis took longer than ${timeoutMs} ms`)), timeoutMs);
  timer.unref();

  worker.once('message', (reply: SpeechReply) => {
    if (!reply.ok) return fail(new Error(reply.error));
    if (!settle()) return;
    let offset = 0;
    for (const size of reply.sizes) {
      stream.push(Buffer.from(reply.data.buffer, reply.data.byteOffset + offset, size));
      offset += size;
    }
    stream.push(null);
  });
  worker.once('error', (error) => fail(new Error(`speech synthesis failed: ${error.message}`)));
  worker.once('exit', (code) => fail(new Error(`speech synthesis stopped without an answer (worker exit ${code})`)));
  return {
    stream,
    closed,
    kill: () => {
      if (settle() && !stream.destroyed) stream.destroy();
    },
  };
}

/** Whether this machine can speak: eSpeak NG (WebAssembly) loads and says a word. */
export interface SpeechSupport {
  available: boolean;
  /** Why not, in one line an operator can act on. */
  reason?: string;
}

const probes = new Map<string, Promise<SpeechSupport>>();
const reinstall = '(reinstall with npm ci)';

/**
 * Whether speech is installed, without speaking: eSpeak NG's module and its voice data, and
 * opusscript, are where the worker loads them from. Nothing is loaded or run, so it costs the bot
 * nothing; {@link probeSpeech} proves more but reads 24 MB of voice data in a worker thread whose
 * memory stays with the process after it ends (about 16 MiB of an idle bot's RSS), so it runs only
 * for guilds that turned the greeting on.
 */
export function speechInstalled(options: { engine?: string } = {}): SpeechSupport {
  const engine = options.engine ?? SPEECH_ENGINE;
  // Resolved from here as the worker (beside this file) imports it; a file URL or path resolves as itself.
  const resolve = createRequire(import.meta.url).resolve;
  let main: string;
  try {
    main = resolve(engine.startsWith('file:') ? fileURLToPath(engine) : engine);
  } catch (error) {
    return { available: false, reason: `speech does not work: eSpeak NG could not be loaded (${engine}): ${(error as Error).message.split('\n')[0]} ${reinstall}` };
  }
  // espeak-ng.js reads its voices and dictionaries from this file beside it (its locateFile).
  const data = join(dirname(main), 'espeak-ng.data');
  if (!existsSync(data)) return { available: false, reason: `speech does not work: eSpeak NG's voice data is missing (${data}) ${reinstall}` };
  try {
    resolve('opusscript');
  } catch (error) {
    return { available: false, reason: `speech does not work: opusscript could not be loaded: ${(error as Error).message.split('\n')[0]} ${reinstall}` };
  }
  return { available: true };
}

/**
 * Checks once per process (per engine) that speech works: the worker loads eSpeak NG, speaks a word
 * and encodes it. Nothing to install, so this fails only when the package itself is broken or missing.
 */
export function probeSpeech(options: { engine?: string } = {}): Promise<SpeechSupport> {
  const engine = options.engine ?? SPEECH_ENGINE;
  let probe = probes.get(engine);
  if (!probe) {
    probe = (async (): Promise<SpeechSupport> => {
      const installed = speechInstalled({ engine });
      if (!installed.available) return installed;
      let packets = 0;
      try {
        for await (const _packet of synthesize('ok', { ...DEFAULT_VOICE, engine, timeoutMs: 30_000 }).stream) packets++;
      } catch (error) {
        return { available: false, reason: `speech does not work: ${error instanceof Error ? error.message : String(error)} ${reinstall}` };
      }
      return packets > 0 ? { available: true } : { available: false, reason: 'speech does not work: eSpeak NG produced no audio' };
    })();
    probes.set(engine, probe);
  }
  return probe;
}
