import { describe, expect, it } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { tempDir } from '../helpers/app.js';
import { DEFAULT_VOICE, opusPackets, probeSpeech, synthesize } from '../../src/voice/speech.js';

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

describe('speech: espeak-ng → ffmpeg → Opus', () => {
  it('this machine can speak (espeak-ng and ffmpeg with libopus are installed, as scripts/install-system-deps.sh does)', async () => {
    expect(await probeSpeech()).toEqual({ available: true });
  });

  it('turns a sentence into a non-empty stream of Opus packets, about as long as the sentence takes to say', async () => {
    const speech = synthesize('Hi Alice. Tonight: Bob at 9, Carol and Dan at 10.', DEFAULT_VOICE);
    const { chunks: packets, error } = await drain(opusPackets(speech.stream));
    expect(error).toBeUndefined();
    expect(packets.length).toBeGreaterThan(50);
    expect(packets.every((p) => Buffer.isBuffer(p) && p.length > 0 && p.length < 1276)).toBe(true);
    // 20 ms frames at 48 kHz: the sentence lasts a couple of seconds, not milliseconds and not minutes.
    const seconds = packets.reduce((sum, p) => sum + framesIn(p), 0) * 0.02;
    expect(seconds).toBeGreaterThan(1.5);
    expect(seconds).toBeLessThan(10);
  });

  it('speed changes the length: faster speech, fewer packets', async () => {
    const text = 'Hi Alice. Tonight: Bob at 9, Carol and Dan at 10. After midnight: Eve at 1.';
    const slow = (await drain(opusPackets(synthesize(text, { voice: 'en-us', speed: 100 }).stream))).chunks.length;
    const fast = (await drain(opusPackets(synthesize(text, { voice: 'en-us', speed: 300 }).stream))).chunks.length;
    expect(fast).toBeLessThan(slow * 0.7);
  });

  it('a display name cannot become a command-line option: text starting with dashes is spoken, not parsed', async () => {
    const { chunks, error } = await drain(opusPackets(synthesize('--version -w /tmp/x', DEFAULT_VOICE).stream));
    expect(error).toBeUndefined();
    expect(chunks.length).toBeGreaterThan(10);
  });

  it('fails with a clear error when a program is missing, an unknown voice is asked, or it takes too long', async () => {
    const missing = await drain(synthesize('hello', { ...DEFAULT_VOICE, espeak: 'espeak-ng-not-here' }).stream);
    expect(missing.error?.message).toBe('espeak-ng is not installed');

    const badVoice = await drain(synthesize('hello', { voice: 'xx-nothing', speed: 160 }).stream);
    expect(badVoice.error?.message).toMatch(/espeak-ng failed|ffmpeg failed/);

    // A stand-in for an espeak-ng that hangs: killed at the timeout, with both children.
    const tmp = tempDir();
    const hang = join(tmp.dir, 'espeak-ng');
    writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(hang, 0o755);
    const started = Date.now();
    const slow = await drain(synthesize('hello', { ...DEFAULT_VOICE, espeak: hang, timeoutMs: 300 }).stream);
    expect(slow.error?.message).toBe('speech synthesis took longer than 300 ms');
    expect(Date.now() - started).toBeLessThan(3_000);
    tmp.cleanup();
  });

  it('reports itself unavailable, saying what to install, when espeak-ng or ffmpeg is missing', async () => {
    expect(await probeSpeech({ espeak: '/nonexistent/espeak-ng' })).toEqual({
      available: false,
      reason: 'espeak-ng not found (apt-get install espeak-ng ffmpeg)',
    });
    expect(await probeSpeech({ espeak: '/nonexistent/espeak-ng', ffmpeg: '/nonexistent/ffmpeg' })).toMatchObject({
      reason: 'espeak-ng and ffmpeg not found (apt-get install espeak-ng ffmpeg)',
    });
  });
});
