import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** README's first command: `npm run sandbox` brings the whole bot up offline and can be driven. */
describe('npm run sandbox', () => {
  it('starts the emulator and the bot, prints how to drive it, answers a command, stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/sandbox.ts', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      const started = Date.now();
      while (!out.includes('Stop with Ctrl+C')) {
        if (Date.now() - started > 30_000 || child.exitCode !== null) throw new Error(`sandbox did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const control = /Control\s+(http:\/\/127\.0\.0\.1:\d+\/control)/.exec(out)![1]!;
      const run = await fetch(`${control}/commands/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'alice', name: 'config', options: [{ name: 'show', options: [] }] }),
      });
      const result = (await run.json()) as { final?: { content?: string }; message?: { content?: string } };
      expect(JSON.stringify(result)).toContain('rollcall settings');
      const messages = (await (await fetch(`${control}/channels/tonight/messages`)).json()) as { content: string }[];
      expect(messages.some((m) => m.content.startsWith("**Who's playing tonight?**"))).toBe(true);
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(0);
    }
  }, 60_000);
});
