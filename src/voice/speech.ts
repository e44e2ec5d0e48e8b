import { execFile, spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import type PrismMedia from 'prism-media';

/** prism-media is only needed while a greeting plays: required then, not at start. */
const require = createRequire(import.meta.url);

/** How the greeting sounds: espeak-ng's voice (`-v`) and words per minute (`-s`). */
export interface Voice {
  voice: string;
  speed: number;
}

export const DEFAULT_VOICE: Voice = { voice: 'en-us', speed: 165 };

export interface SynthOptions extends Voice {
  /** Both children are killed and the stream fails after this long. Default 15 s. */
  timeoutMs?: number;
  /** Program names or paths (tests point them at something missing). */
  espeak?: string;
  ffmpeg?: string;
}

/** A sentence being spoken: an Ogg/Opus byte stream (48 kHz stereo, as Discord plays it). */
export interface Speech {
  /** Ogg pages with Opus inside; fails if either program fails or the timeout passes. */
  stream: Readable;
  /** Stops both programs now (idempotent). */
  kill(): void;
}

/**
 * Speaks `text` with espeak-ng (WAV on stdout) piped into ffmpeg (→ Opus in Ogg), each in its own
 * process, so nothing of the synthesis or the encoding runs on the event loop. The text goes in on
 * stdin, never on a command line, so a display name cannot become an option.
 * @see https://github.com/espeak-ng/espeak-ng/blob/master/src/espeak-ng.1.ronn
 */
export function synthesize(text: string, options: SynthOptions): Speech {
  const espeak = spawn(options.espeak ?? 'espeak-ng', ['--stdin', '--stdout', '-v', options.voice, '-s', String(options.speed)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const ffmpeg = spawn(
    options.ffmpeg ?? 'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-i', 'pipe:0', '-ac', '2', '-ar', '48000', '-c:a', 'libopus', '-b:a', '64k', '-f', 'ogg', 'pipe:1'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const stream = ffmpeg.stdout;
  // Consumers listen for the error; this one only keeps an unwatched failure from crashing the process.
  stream.on('error', () => undefined);
  let finished = false;
  const children = [espeak, ffmpeg];
  const kill = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const fail = (error: Error) => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    kill();
    stream.destroy(error);
  };
  const timer = setTimeout(() => fail(new Error(`speech synthesis took longer than ${options.timeoutMs ?? 15_000} ms`)), options.timeoutMs ?? 15_000);
  timer.unref();

  // A child that dies early breaks the pipes; its exit (below) says why, so pipe errors are quiet.
  for (const pipe of [espeak.stdin, ffmpeg.stdin, espeak.stdout]) pipe.on('error', () => undefined);
  watch(espeak, 'espeak-ng', fail);
  watch(ffmpeg, 'ffmpeg', fail);
  let exited = 0;
  for (const child of children) {
    child.once('close', (code) => {
      if (code === 0 && ++exited === children.length) {
        finished = true;
        clearTimeout(timer);
      }
    });
  }
  espeak.stdout.pipe(ffmpeg.stdin);
  espeak.stdin.end(text);
  return {
    stream,
    kill: () => {
      finished = true;
      clearTimeout(timer);
      kill();
    },
  };
}

/** Turns a failing exit or a failed start (ENOENT) into `fail` with the program's last words. */
function watch(child: ChildProcess, name: string, fail: (error: Error) => void): void {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-400);
  });
  child.once('error', (error: NodeJS.ErrnoException) => {
    fail(new Error(error.code === 'ENOENT' ? `${name} is not installed` : `${name} could not start: ${error.message}`));
  });
  child.once('close', (code, signal) => {
    if (code === 0) return;
    fail(new Error(`${name} failed (${code === null ? signal : `exit ${code}`})${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`));
  });
}

/** The Opus packets of an Ogg/Opus stream, one Buffer per 20 ms frame — what a voice connection sends. */
export function opusPackets(ogg: Readable): Readable {
  const prism = require('prism-media') as typeof PrismMedia;
  const demuxer = new prism.opus.OggDemuxer();
  ogg.on('error', (error) => demuxer.destroy(error));
  return ogg.pipe(demuxer);
}

/** Whether this machine can speak: espeak-ng present, ffmpeg present with an Opus encoder. */
export interface SpeechSupport {
  available: boolean;
  /** Why not, in one line an operator can act on. */
  reason?: string;
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 5_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

const probes = new Map<string, Promise<SpeechSupport>>();

/** Checks once per process (per pair of programs) whether espeak-ng and ffmpeg with libopus can run. */
export function probeSpeech(programs: { espeak?: string; ffmpeg?: string } = {}): Promise<SpeechSupport> {
  const espeak = programs.espeak ?? 'espeak-ng';
  const ffmpeg = programs.ffmpeg ?? 'ffmpeg';
  const key = `${espeak}\0${ffmpeg}`;
  let probe = probes.get(key);
  if (!probe) {
    probe = (async (): Promise<SpeechSupport> => {
      const missing: string[] = [];
      await run(espeak, ['--version']).catch(() => missing.push('espeak-ng'));
      const encoders = await run(ffmpeg, ['-hide_banner', '-encoders']).catch(() => undefined);
      if (encoders === undefined) missing.push('ffmpeg');
      if (missing.length > 0) return { available: false, reason: `${missing.join(' and ')} not found (apt-get install espeak-ng ffmpeg)` };
      if (!encoders!.includes('libopus')) return { available: false, reason: 'ffmpeg has no Opus encoder (libopus)' };
      return { available: true };
    })();
    probes.set(key, probe);
  }
  return probe;
}
