/**
 * `npm run emulator` (src/sandbox/main.ts) as a user runs it: the real script in a child process,
 * started with the command package.json gives it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { npmScriptCommand } from '../helpers/npm-script.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const [EMULATOR, EMULATOR_ARGS] = npmScriptCommand('emulator');

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function runEmulator(...args: string[]): Run {
  const child = spawn(EMULATOR, [...EMULATOR_ARGS, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** A port nothing listens on (the OS picks it, then it is released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until<T>(check: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

describe('npm run emulator', () => {
  it('prints one JSON line with the URLs and token last, serves /gateway/bot with that token, stops on SIGTERM', async () => {
    const port = await freePort();
    const run = runEmulator('--port', String(port));
    const info = await until(() => {
      const last = lines(run.stdout()).at(-1);
      if (!last?.startsWith('{')) return undefined;
      return JSON.parse(last) as Record<string, string>;
    }, 'the JSON line');
    expect(Object.keys(info).sort()).toEqual(['api', 'application_id', 'control', 'gateway', 'public_key', 'token']);
    expect(info.api).toBe(`http://127.0.0.1:${port}/api`);
    expect(info.gateway).toBe(`ws://127.0.0.1:${port}/gateway`);
    expect(info.control).toBe(`http://127.0.0.1:${port}/control`);
    expect(info.public_key).toMatch(/^[0-9a-f]{64}$/);
    expect(info.application_id).toMatch(/^\d{17,20}$/);
    // The human lines come first and name the same things.
    expect(run.stdout()).toContain(`listening on 127.0.0.1:${port}`);
    expect(run.stdout()).toContain(info.token as string);

    const rest = new REST({ api: info.api, version: '10' }).setToken(info.token as string);
    await expect(rest.get(Routes.gatewayBot())).resolves.toMatchObject({ url: info.gateway, shards: 1 });
    const wrong = await fetch(`${info.api}/v10/gateway/bot`, { headers: { Authorization: 'Bot nope' } });
    expect(wrong.status).toBe(401);

    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.stdout()).toContain('SIGTERM: stopping emulator');
    expect(run.stderr()).toBe('');
    await expect(fetch(`${info.api}/v10/gateway/bot`)).rejects.toThrow();
  }, 60_000);

  it('a --port already in use ends with one clear line and a non-zero exit', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const run = runEmulator('--port', String(port));
      const { code } = await run.exited;
      expect(code).not.toBe(0);
      expect(code).not.toBeNull();
      expect(lines(run.stderr())).toEqual([`emulator: port ${port} on 127.0.0.1 is already in use (another emulator? pick a free one with --port)`]);
      expect(run.stdout()).toBe('');
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  }, 60_000);

  it('a bad --port or an unknown option is one line and exit 2', async () => {
    const bad = runEmulator('--port', 'eighty');
    expect((await bad.exited).code).toBe(2);
    expect(lines(bad.stderr())).toEqual(['emulator: invalid --port eighty']);
    const unknown = runEmulator('--nope');
    expect((await unknown.exited).code).toBe(2);
    expect(lines(unknown.stderr())).toHaveLength(1);
    expect(unknown.stderr()).toMatch(/^emulator: .*--nope/);
  }, 60_000);

  it('--members, --channels, --voice and --guilds serve big guilds; a size it cannot make is one line and exit 2', async () => {
    const run = runEmulator('--members', '5000', '--channels', '120', '--voice', '40', '--guilds', '2');
    const info = await until(() => {
      const last = lines(run.stdout()).at(-1);
      return last?.startsWith('{') ? (JSON.parse(last) as Record<string, string>) : undefined;
    }, 'the JSON line');
    expect(run.stdout()).toContain('Big guilds  2 × 5000 members, 120 channels, 40 in voice');
    const rest = new REST({ api: info.api, version: '10' }).setToken(info.token as string);
    const guilds = (await rest.get(Routes.userGuilds())) as { id: string }[];
    expect(guilds).toHaveLength(2);
    const counted = (await rest.get(Routes.guild(guilds[1]!.id), { query: new URLSearchParams({ with_counts: 'true' }) })) as { approximate_member_count: number };
    expect(counted.approximate_member_count).toBe(5000);
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);

    const bad = runEmulator('--members', '10', '--voice', '50');
    expect((await bad.exited).code).toBe(2);
    expect(lines(bad.stderr())).toEqual([expect.stringMatching(/^emulator: scale\.voice \(50\) must not exceed/)]);
  }, 60_000);

  it('--session-starts and --session-start-reset-seconds set the session start limit; a value that is not a count is one line and exit 2', async () => {
    const run = runEmulator('--session-starts', '2', '--session-start-reset-seconds', '60');
    const info = await until(() => {
      const last = lines(run.stdout()).at(-1);
      return last?.startsWith('{') ? (JSON.parse(last) as Record<string, string>) : undefined;
    }, 'the JSON line');
    const rest = new REST({ api: info.api, version: '10' }).setToken(info.token as string);
    await expect(rest.get(Routes.gatewayBot())).resolves.toMatchObject({ session_start_limit: { total: 2, remaining: 2 } });
    run.child.kill('SIGTERM');
    expect((await run.exited).code).toBe(0);

    const bad = runEmulator('--session-starts', '0');
    expect((await bad.exited).code).toBe(2);
    expect(lines(bad.stderr())).toEqual(['emulator: --session-starts must be a whole number of at least 1 (got "0")']);
  }, 60_000);
});
