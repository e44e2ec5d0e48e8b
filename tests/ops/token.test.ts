import { spawn } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';
import { tempDir } from '../helpers/app.js';
import { REPO } from './helpers/cli.js';
import { freePort } from './helpers/ports.js';

const WRONG = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gwrong.not-the-token-discord-knows';

/** `npm start` from source until it exits by itself (or is killed after 30 s): its exit code and stderr. */
async function runBot(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const tmp = tempDir();
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DATABASE_PATH: join(tmp.dir, 'rollcall.sqlite'),
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  tmp.cleanup();
  return { code, stderr };
}

/**
 * A token Discord refuses is a setting to fix, not an outage to wait out: the bot says so in one
 * line and exits 78 (the unit's RestartPreventExitStatus; a deploy sees the service stop and rolls
 * back). Discord refuses it either on `GET /gateway/bot` (401) or, when REST took it, with gateway
 * close 4004 at IDENTIFY; the emulator does both as Discord documents.
 */
describe('a token Discord refuses stops the bot with one line and exit 78', () => {
  let emu: Emulator;
  let proxy: Server;
  let proxyApi = '';

  beforeAll(async () => {
    emu = await startEmulator({ heartbeatIntervalMs: 1_000 });
    // REST with the right token (so /gateway/bot answers), while the bot identifies with the wrong one.
    proxy = createServer((req, res) => {
      const upstream = new URL(emu.api);
      const out = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host, authorization: `Bot ${emu.token}` } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(out);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyApi = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/api`;
  });

  afterAll(async () => {
    await new Promise((resolve) => proxy?.close(resolve));
    await emu?.close();
  });

  const discord = () => ({ DISCORD_APPLICATION_ID: emu.applicationId, DISCORD_PUBLIC_KEY: emu.publicKey });

  it('401 on GET /gateway/bot', async () => {
    const r = await runBot({ ...discord(), DISCORD_TOKEN: WRONG, DISCORD_API_URL: emu.api });
    expect(r.code).toBe(78);
    expect(r.stderr.trim().split('\n')).toEqual([
      'rollcall: configuration error: DISCORD_TOKEN was refused by Discord (401 Unauthorized on GET /gateway/bot): copy the bot token from the developer portal (Bot → Reset Token) into the environment file',
    ]);
    expect(r.stderr).not.toContain(WRONG);
  }, 40_000);

  it('gateway close 4004 at IDENTIFY', async () => {
    const r = await runBot({ ...discord(), DISCORD_TOKEN: WRONG, DISCORD_API_URL: proxyApi });
    expect(r.code).toBe(78);
    expect(r.stderr.trim().split('\n')).toEqual([
      'rollcall: configuration error: DISCORD_TOKEN was refused by Discord (gateway close 4004: authentication failed): copy the bot token from the developer portal (Bot → Reset Token) into the environment file',
    ]);
    expect(r.stderr).not.toContain(WRONG);
  }, 40_000);
});
