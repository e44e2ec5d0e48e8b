import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/shared/logger.js';
import type { GreetingSpeaker } from '../../src/shared/services/voice-greeting.js';
import { attachVoiceGreeting } from '../../src/voice/attach.js';

/** A logger whose JSON lines land in `lines`. */
function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger('info', sink), lines };
}

function fakeApp(log: ReturnType<typeof createLogger>) {
  const attached: GreetingSpeaker[] = [];
  return { app: { log, greeting: { attach: (s: GreetingSpeaker) => (attached.push(s), () => undefined) } } as never, attached };
}

const shard = () => ({ manager: Object.assign(new EventEmitter(), { send: () => undefined }), connection: { connected: true } }) as never;

describe('attaching the voice side at start', () => {
  it('when speech cannot load (its package missing): one clear warning line, no speaker, nothing thrown', async () => {
    const { log, lines } = capturingLogger();
    const { app, attached } = fakeApp(log);
    const wiring = attachVoiceGreeting(app, shard(), { engine: '/nonexistent/espeak-ng.js' });
    expect(await wiring.ready).toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(attached).toEqual([]);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [
        40,
        expect.stringMatching(/^voice greeting unavailable: speech does not work: eSpeak NG could not be loaded \(\/nonexistent\/espeak-ng\.js\): .+ \(reinstall with npm ci\); everything else runs$/),
      ],
    ]);
  });

  it('on any machine with the npm packages (no system program): the speaker is attached and nothing is logged', async () => {
    const { log, lines } = capturingLogger();
    const { app, attached } = fakeApp(log);
    const started = performance.now();
    expect(await attachVoiceGreeting(app, shard()).ready).toBe(true);
    // Only checked as installed, not spoken: a word in a worker takes seconds and leaves ~16 MiB behind.
    expect(performance.now() - started).toBeLessThan(500);
    expect(attached).toHaveLength(1);
    expect(lines).toEqual([]);
  });
});
