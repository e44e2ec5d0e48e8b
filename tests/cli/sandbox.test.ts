import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';

const URLS = /https?:\/\/\S+/g;

/** Starts `npm run sandbox` (as tsx would) and resolves once its first line is out. */
async function startCli(args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/sandbox.ts', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const started = Date.now();
  while (!output.stdout.includes('Ctrl+C to stop')) {
    if (Date.now() - started > 30_000 || child.exitCode !== null) throw new Error(`sandbox did not start:\n${output.stdout}${output.stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output };
}

async function stop(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  return new Promise((resolve) => child.once('exit', resolve));
}

/** README's first command: `npm run sandbox` brings the whole bot up offline and can be driven. */
describe('npm run sandbox', () => {
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child) await stop(child);
    child = undefined;
  });

  it('prints one line with one URL, the page; the control API behind it answers a command; stops on SIGTERM', async () => {
    const cli = await startCli();
    child = cli.child;
    const page = cli.output.stdout.match(URLS)?.[0];
    expect(page).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const control = new URL('/control', page).href;
    const run = await fetch(`${control}/commands/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'alice', name: 'config', options: [{ name: 'show', options: [] }] }),
    });
    const result = (await run.json()) as { final?: { content?: string }; message?: { content?: string } };
    expect(JSON.stringify(result)).toContain('rollcall settings');
    const messages = (await (await fetch(`${control}/channels/tonight/messages`)).json()) as { content: string }[];
    expect(messages.some((m) => m.content.startsWith("**Who's playing tonight?**"))).toBe(true);

    // After the bot has posted and answered, still exactly what it printed at start: one line, one URL.
    expect(cli.output.stdout).toBe(`rollcall sandbox: open ${page}  (Ctrl+C to stop)\n`);
    expect(cli.output.stdout.match(URLS)).toEqual([page]);
    expect(await stop(cli.child)).toBe(0);
  }, 60_000);

  it('the first line is the URL even when the bot logs while starting (--log-level info): its JSON lines come after', async () => {
    const cli = await startCli(['--log-level', 'info']);
    child = cli.child;
    await new Promise<void>((resolve) => {
      const check = () => (cli.output.stdout.split('\n').length > 2 ? resolve() : setTimeout(check, 50));
      check();
    });
    const [first, ...rest] = cli.output.stdout.split('\n').filter(Boolean);
    expect(first).toMatch(/^rollcall sandbox: open http:\/\/127\.0\.0\.1:\d+\/ {2}\(Ctrl\+C to stop\)$/);
    expect(rest.length).toBeGreaterThan(0);
    for (const line of rest) expect(JSON.parse(line)).toHaveProperty('level');
  }, 60_000);

  it('--verbose adds the emulator’s REST, gateway, control and events URLs, the bot’s, its health check, the public key and the database', async () => {
    const cli = await startCli(['--verbose']);
    child = cli.child;
    await new Promise<void>((resolve) => {
      const check = () => (cli.output.stdout.includes('Database') ? resolve() : setTimeout(check, 50));
      check();
    });
    const out = cli.output.stdout;
    expect(out.split('\n')[0]).toMatch(/^rollcall sandbox: open http:\/\/127\.0\.0\.1:\d+\/ {2}\(Ctrl\+C to stop\)$/);
    const port = /127\.0\.0\.1:(\d+)\//.exec(out)![1];
    expect(out).toContain(`REST http://127.0.0.1:${port}/api`);
    expect(out).toContain(`gateway ws://127.0.0.1:${port}/gateway`);
    expect(out).toContain(`Control    http://127.0.0.1:${port}/control`);
    expect(out).toContain(`live wire log: http://127.0.0.1:${port}/control/events`);
    expect(out).toMatch(/Bot {8}http:\/\/127\.0\.0\.1:\d+\/interactions {3}\(health: http:\/\/127\.0\.0\.1:\d+\/healthz\)/);
    expect(out).toMatch(/Public key [0-9a-f]{64}/);
    expect(out).toMatch(/Database {3}\S+rollcall\.sqlite/);
    const health = /health: (\S+)\)/.exec(out)![1]!;
    expect((await fetch(health)).status).toBe(200);
  }, 60_000);

  it('--interactions gateway: the page’s commands, menus, buttons and autocomplete reach the bot as INTERACTION_CREATE', async () => {
    const cli = await startCli(['--interactions', 'gateway']);
    child = cli.child;
    expect(cli.output.stdout).toMatch(/Ctrl\+C to stop\) {2}— commands over the gateway\n$/);
    const control = new URL('/control', cli.output.stdout.match(URLS)![0]).href;
    const post = async (path: string, body: unknown) =>
      (await fetch(`${control}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<any>;
    type Row = { components: { custom_id: string; options?: { value: string }[] }[] };

    const show = await post('/commands/run', { user: 'alice', name: 'config', options: [{ name: 'show', options: [] }] });
    expect(show).toMatchObject({ via: 'gateway', status: 200, error: null });
    expect(show.message.content).toContain('rollcall settings');

    const zones = await post('/autocomplete', { user: 'bob', name: 'timezone', options: [{ name: 'set', options: [{ name: 'zone', value: 'Par', focused: true }] }] });
    expect(zones.map((c: { value: string }) => c.value)).toContain('Europe/Paris');

    const schedule = await post('/commands/run', { user: 'bob', name: 'schedule', options: [{ name: 'set', options: [] }] });
    expect(schedule.error).toBeNull();
    const [days] = (schedule.message.components as Row[]).map((r) => r.components[0]!);
    const picked = await post('/components/select', { user: 'bob', message: schedule.message.id, customId: days!.custom_id, values: ['1'] });
    expect(picked).toMatchObject({ via: 'gateway', error: null });

    const messages = (await (await fetch(`${control}/channels/tonight/messages`)).json()) as { id: string; content: string }[];
    const daily = messages.find((m) => m.content.startsWith("**Who's playing tonight?**"))!;
    const skipped = await post('/components/button', { user: 'carol', message: daily.id, customId: 'not-tonight:' });
    expect(skipped).toMatchObject({ via: 'gateway', error: null });
    expect(await stop(cli.child)).toBe(0);
  }, 60_000);
});
