/**
 * Bad requests get Discord's errors, never a crash: each case is followed by a request proving the
 * emulator still serves.
 */
import { request } from 'node:http';
import { REST } from '@discordjs/rest';
import { Routes, type APIUser } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';

let emu: Emulator;

afterEach(async () => {
  await emu?.close();
});

/** A request with the request-target exactly as given (fetch would normalise it). */
function rawTarget(port: number, target: string, method = 'GET'): Promise<{ status: number; body: string; contentType: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: target, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'] }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The emulator still answers the real client after whatever came before. */
async function stillServes(): Promise<void> {
  const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
  const me = (await rest.get(Routes.user())) as APIUser;
  expect(me.id).toBe(emu.applicationId);
}

describe('unparseable request-targets', () => {
  it.each(['//', '//[', '//a:b@', '//:99999'])('GET %s answers 400 in Discord shape and the emulator keeps serving', async (target) => {
    emu = await startEmulator();
    const res = await rawTarget(emu.port, target);
    expect(res.status).toBe(400);
    expect(res.contentType).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({ message: '400: Bad Request', code: 0 });
    await stillServes();
    expect(emu.counters.internalErrors).toBe(0);
  });

  it('a gateway upgrade to // is refused with 400 and its socket closed', async () => {
    emu = await startEmulator();
    const ws = new WebSocket(`ws://127.0.0.1:${emu.port}//`);
    const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      ws.on('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      ws.on('open', () => reject(new Error('upgrade accepted')));
      ws.on('error', () => {});
    });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toEqual({ message: '400: Bad Request', code: 0 });
    // A good upgrade right after still works.
    const ok = new WebSocket(emu.gatewayUrl);
    const hello = await new Promise<{ op: number }>((resolve, reject) => {
      ok.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')) as { op: number }));
      ok.once('error', reject);
    });
    expect(hello.op).toBe(10);
    ok.close();
    await stillServes();
  });

  it('an upgrade to an unknown path is 404 in Discord shape', async () => {
    emu = await startEmulator();
    const ws = new WebSocket(`ws://127.0.0.1:${emu.port}/nope`);
    const status = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => {});
    });
    expect(status).toBe(404);
    await stillServes();
  });
});
