import { describe, expect, it } from 'vitest';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import OpusScript from 'opusscript';
import { createAudioResource, StreamType } from '@discordjs/voice';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_VOICE, probeSpeech, speechInstalled, synthesize, type SynthOptions } from '../../src/voice/speech.js';
import { tempDir } from '../helpers/app.js';
import { plainText } from '../../src/voice/speech-worker.js';

/** Reads a stream to its end: its chunks, or the error it failed with. */
async function drain(stream: Readable): Promise<{ chunks: Buffer[]; error?: Error }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { chunks };
  } catch (error) {
    return { chunks, error: error as Error };
  }
}

/** The number of 20 ms frames in an Opus packet (RFC 6716 §3.1, TOC byte + frame count code). */
function framesIn(packet: Buffer): number {
  const code = packet[0]! & 0b11;
  return code === 0 ? 1 : code === 3 ? packet[1]! & 0b111111 : 2;
}

/** Speaks `text` and returns its packets and how many seconds they last; fails the test on an error. */
async function speak(text: string, voice: Omit<SynthOptions, 'timeoutMs'> = DEFAULT_VOICE) {
  const { chunks: packets, error } = await drain(synthesize(text, voice).stream);
  expect(error).toBeUndefined();
  return { packets, seconds: packets.reduce((sum, p) => sum + framesIn(p), 0) * 0.02 };
}

const GREETING = 'Hi Alice. Tonight: Bob at 9, Carol and Dan at 10.';
/** Long enough that, were it made on the event loop, the loop would stall for a second or more. */
const LONG = Array.from({ length: 8 }, (_, i) => `Hi Alice number ${i + 1}. Tonight: Bob at 9, Carol and Dan at 10, and after midnight Eve at 1.`).join(' ');

describe('speech: eSpeak NG (WebAssembly) → opusscript, in a worker thread, nothing installed', () => {
  it('this machine can speak: nothing but npm packages is needed', async () => {
    expect(await probeSpeech()).toEqual({ available: true });
  });

  it('whether speech is installed is known without speaking: the engine, its voice data and opusscript are found, or a reason names what is missing', async () => {
    expect(speechInstalled()).toEqual({ available: true });
    expect(speechInstalled({ engine: '/nonexistent/espeak-ng.js' })).toEqual({
      available: false,
      reason: expect.stringMatching(
        /^speech does not work: eSpeak NG could not be loaded \(\/nonexistent\/espeak-ng\.js\): Cannot find module '\/nonexistent\/espeak-ng\.js' \(reinstall with npm ci\)$/,
      ),
    });
    // An engine whose voice data was lost (a half-copied node_modules): found, but it could not speak.
    const { dir, cleanup } = tempDir();
    try {
      mkdirSync(join(dir, 'engine'));
      writeFileSync(join(dir, 'engine', 'espeak-ng.js'), 'export default null;\n');
      const engine = join(dir, 'engine', 'espeak-ng.js');
      expect(speechInstalled({ engine })).toEqual({
        available: false,
        reason: `speech does not work: eSpeak NG's voice data is missing (${join(dir, 'engine', 'espeak-ng.data')}) (reinstall with npm ci)`,
      });
      // The full probe says the same, without starting a worker for it.
      expect(await probeSpeech({ engine })).toEqual(speechInstalled({ engine }));
    } finally {
      cleanup();
    }
  });

  it('turns a sentence into 20 ms Opus packets, about as long as the sentence takes to say, that decode to sound', async () => {
    const { packets, seconds } = await speak(GREETING);
    expect(packets.length).toBeGreaterThan(50);
    expect(packets.every((p) => Buffer.isBuffer(p) && p.length > 0 && p.length < 1276)).toBe(true);
    // A couple of seconds, not milliseconds and not minutes.
    expect(seconds).toBeGreaterThan(1.5);
    expect(seconds).toBeLessThan(10);
    // Decoded as Discord does (48 kHz stereo): a voice, not silence.
    const decoder = new OpusScript(48_000, 2);
    let energy = 0;
    let samples = 0;
    for (const packet of packets) {
      const pcm = decoder.decode(packet);
      expect(pcm.length).toBe(960 * 2 * 2);
      for (let i = 0; i < pcm.length; i += 2) energy += pcm.readInt16LE(i) ** 2;
      samples += pcm.length / 2;
    }
    decoder.delete();
    expect(Math.sqrt(energy / samples)).toBeGreaterThan(300);
  });

  it('a longer sentence gives more packets', async () => {
    const short = await speak('Hi Alice.');
    const long = await speak(`${GREETING} After midnight: Eve at 1, Frank at 2.`);
    expect(short.packets.length).toBeGreaterThan(10);
    expect(long.packets.length).toBeGreaterThan(short.packets.length * 3);
  });

  it('speed changes the length: faster speech, fewer packets', async () => {
    const text = `${GREETING} After midnight: Eve at 1.`;
    const slow = await speak(text, { voice: 'en-us', speed: 100 });
    const fast = await speak(text, { voice: 'en-us', speed: 300 });
    expect(fast.packets.length).toBeLessThan(slow.packets.length * 0.7);
  });

  it('other voices and variants speak too (en-gb, en-us+f3)', async () => {
    expect((await speak('Hi Alice.', { voice: 'en-gb', speed: 165 })).packets.length).toBeGreaterThan(10);
    expect((await speak('Hi Alice.', { voice: 'en-us+f3', speed: 165 })).packets.length).toBeGreaterThan(10);
  });

  it('a display name that looks like an option or markup is spoken as text, never obeyed', async () => {
    // Options: all said, some 4 s of words (there is no command line to parse them).
    const option = await speak('Hi --help -v xx --version -w /tmp/x.');
    expect(option.seconds).toBeGreaterThan(2.5);
    // SSML: a 20 s pause if obeyed; said as characters it is a few seconds.
    const ssml = await speak('Hi <break time="20s"/> Bob.');
    expect(ssml.seconds).toBeLessThan(10);
    expect(ssml.seconds).toBeGreaterThan(1.5);
    // Phoneme input [[...]] (half a second if obeyed) and entities are escaped before eSpeak sees them.
    expect(plainText('[[h@l"oU]] <b> & me')).toBe('[ [h@l"oU] ] &lt;b&gt; &amp; me');
    const phonemes = await speak('Hi [[h@l"oU]].');
    expect(phonemes.seconds).toBeGreaterThan(1.2);
  });

  it('fails once, with a clear error, for an unknown voice or a missing engine', async () => {
    const badVoice = synthesize('hello', { voice: 'xx-nothing', speed: 160 });
    const errors: Error[] = [];
    badVoice.stream.on('error', (error) => errors.push(error));
    const bad = await drain(badVoice.stream);
    expect(bad.error?.message).toMatch(/^eSpeak NG has no voice "xx-nothing"/);
    await badVoice.closed;
    expect(errors).toHaveLength(1);

    const missing = await drain(synthesize('hello', { ...DEFAULT_VOICE, engine: '/nonexistent/espeak-ng.js' }).stream);
    expect(missing.error?.message).toMatch(/^eSpeak NG could not be loaded \(\/nonexistent\/espeak-ng\.js\)/);
  });

  it('at the timeout: the worker is terminated and the stream fails once, with no audio', async () => {
    const speech = synthesize(LONG, { ...DEFAULT_VOICE, timeoutMs: 300 });
    const errors: Error[] = [];
    speech.stream.on('error', (error) => errors.push(error));
    const started = Date.now();
    const { chunks, error } = await drain(speech.stream);
    expect(error?.message).toBe('speech synthesis took longer than 300 ms');
    expect(chunks).toEqual([]);
    // The worker is gone well before the synthesis could have finished on its own.
    await speech.closed;
    expect(Date.now() - started).toBeLessThan(2_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(errors).toHaveLength(1);
  });

  it('kill() stops the worker at once and ends the stream without an error', async () => {
    const speech = synthesize(LONG, DEFAULT_VOICE);
    const errors: Error[] = [];
    speech.stream.on('error', (error) => errors.push(error));
    speech.kill();
    speech.kill();
    await speech.closed;
    expect(speech.stream.destroyed).toBe(true);
    expect(errors).toEqual([]);
  });

  it('never blocks the event loop: timers keep firing while a long text is synthesized and encoded', async () => {
    const lag = monitorEventLoopDelay({ resolution: 5 });
    lag.enable();
    const started = performance.now();
    const { seconds } = await speak(LONG);
    const elapsed = performance.now() - started;
    lag.disable();
    const maxLagMs = lag.max / 1e6;
    console.log(`speech: ${seconds.toFixed(1)} s of audio made in ${elapsed.toFixed(0)} ms; event-loop delay max ${maxLagMs.toFixed(1)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms`);
    expect(seconds).toBeGreaterThan(20);
    // The work takes far longer than any stall of the loop (a few ms to start the worker and take the packets).
    expect(maxLagMs).toBeLessThan(Math.min(250, elapsed / 4));
  });

  it('plays through @discordjs/voice as raw Opus packets (StreamType.Opus), one packet per read', async () => {
    const speech = synthesize('Hi Alice.', DEFAULT_VOICE);
    const resource = createAudioResource(speech.stream, { inputType: StreamType.Opus });
    expect(resource.edges).toEqual([]);
    await once(resource.playStream, 'readable');
    const first = resource.read();
    expect(Buffer.isBuffer(first) && first.length > 0 && first.length < 1276).toBe(true);
    expect(framesIn(first!)).toBe(1);
  });
});
