import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { needs } from '../helpers/programs.js';
import { startHarness, type Harness } from '../helpers/server.js';
import { REPO } from './helpers/cli.js';

const need = needs('script');

/** Strips colours and cursor movements, keeping the text a person sees. */
// eslint-disable-next-line no-control-regex -- terminal escape sequences are control characters
const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, '').replace(/\r/g, '');

/**
 * `npm run admin` with no action in a real pseudo-terminal (util-linux `script`): the menu, driven
 * with the keys an operator presses.
 */
describe.skipIf(need.missing)(need.title('admin menu'), () => {
  let bot: Harness;
  beforeAll(async () => {
    bot = await startHarness();
    await bot.listen();
  });
  afterAll(() => bot.close());

  it('runs the chosen action with the answers given, shows the scriptable command, returns to the menu, and quits', async () => {
    const port = new URL(bot.url).port;
    const child = spawn('script', ['-qfec', `stty cols 120 rows 40; exec ${process.execPath} --import tsx src/cli/admin.ts`, '/dev/null'], {
      cwd: REPO,
      env: { ...process.env, HTTP_HOST: '127.0.0.1', HTTP_PORT: port, TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
    let seen = 0;
    /** Waits for `text` to appear after what was already matched, then presses `keys`. */
    const expectThenPress = async (text: string, keys: string) => {
      const deadline = Date.now() + 20_000;
      while (plain(out).indexOf(text, seen) === -1) {
        if (Date.now() > deadline) throw new Error(`the menu never showed "${text}":\n${plain(out)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      seen = plain(out).indexOf(text, seen) + text.length;
      await new Promise((r) => setTimeout(r, 150)); // let the prompt finish drawing
      child.stdin.write(keys);
    };
    const ENTER = '\r';
    const DOWN = '\x1b[B';
    const UP = '\x1b[A';

    await expectThenPress('What would you like to do?', ENTER); // Status (first)
    await expectThenPress('Where?', DOWN); // On the Pi → On this machine
    await expectThenPress('On this machine', ENTER);
    await expectThenPress('Done.', '');
    await expectThenPress('What would you like to do?', UP); // wraps to Quit
    await expectThenPress('Quit', ENTER);
    expect(await exited).toBe(0);

    const screen = plain(out);
    expect(screen).toContain('npm run admin -- status');
    expect(screen).toContain(`rollcall at http://127.0.0.1:${port}`);
    expect(screen).toMatch(/health\s+ok \(database ok\)/);
    expect(screen).toContain('Bye.');
  }, 60_000);
});
