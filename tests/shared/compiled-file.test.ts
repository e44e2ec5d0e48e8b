import { describe, expect, it } from 'vitest';
import { compiledFile } from '../../src/shared/compiled-file.js';

describe('compiledFile', () => {
  it('finds a worker beside its caller as tsc wrote it', () => {
    expect(compiledFile('file:///opt/rollcall/releases/abc/dist/src/stats/spawn.js', 'stats/render-worker.js').href).toBe('file:///opt/rollcall/releases/abc/dist/src/stats/render-worker.js');
  });

  it('finds it from a bundled chunk and from a bundled entry, which are not beside it', () => {
    expect(compiledFile('file:///opt/rollcall/current/dist/src/chunks/chunk-ABC123.js', 'voice/speech-worker.js').href).toBe('file:///opt/rollcall/current/dist/src/voice/speech-worker.js');
    expect(compiledFile('file:///home/pi/rollcall/dist/src/main.js', 'stats/render-worker.js').href).toBe('file:///home/pi/rollcall/dist/src/stats/render-worker.js');
  });

  it('says what to do when the caller is not compiled code', () => {
    expect(() => compiledFile('file:///tmp/elsewhere/spawn.js', 'stats/render-worker.js')).toThrow(/not under a dist\/src\/ folder.*npm run build/);
  });
});
