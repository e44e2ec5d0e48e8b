/**
 * The npm scripts that run TypeScript (`npm run sandbox`, `emulator`, `soak`, `admin`…) are one Node
 * process, so a SIGTERM (`kill`, `timeout`, a container stopping, a test ending) reaches the script's own
 * shutdown. The tsx CLI would sit in between: it relays the signal, waits 30 ms for the child to say it
 * got it, and otherwise kills the child with SIGKILL and exits 143 — which a CI run on a loaded machine
 * hit (`npm run emulator` exited 143 instead of closing cleanly).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { npmScriptCommand, npmScripts } from '../helpers/npm-script.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** Scripts whose program is a TypeScript file (vitest's config files are not programs). */
const typescriptScripts = Object.entries(npmScripts).filter(([, command]) => /\.ts$/.test(command) && !command.startsWith('vitest '));

describe('npm scripts that run TypeScript', () => {
  it('run it in one process with node --import tsx, never through the tsx CLI', () => {
    expect(typescriptScripts.map(([name]) => name)).toEqual(expect.arrayContaining(['sandbox', 'emulator', 'soak', 'admin', 'bench']));
    const offenders = typescriptScripts.filter(([, command]) => !/^node (--[\w-]+(=\S+)? )*--import tsx \S+\.ts$/.test(command));
    expect(offenders).toEqual([]);
  });

  it('stop through their own SIGTERM handler even when the signal comes while they are busy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollcall-sigterm-'));
    try {
      const script = join(dir, 'busy.ts');
      writeFileSync(
        script,
        [
          "process.on('SIGTERM', () => { process.stdout.write('stopped cleanly\\n'); process.exit(0); });",
          "process.stdin.on('data', () => { const end = Date.now() + 600; while (Date.now() < end); process.stdout.write('done\\n'); });",
          "process.stdout.write('ready\\n');",
        ].join('\n'),
      );
      const [program, args] = npmScriptCommand('emulator', { file: script });
      const child = spawn(program, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
      const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
      for (const end = Date.now() + 30_000; !out.includes('ready');) {
        if (Date.now() > end) throw new Error(`never ready: ${out}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      child.stdin.write('work\n');
      await new Promise((r) => setTimeout(r, 100)); // the loop is now busy for another ~500 ms
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(out).toContain('stopped cleanly');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
