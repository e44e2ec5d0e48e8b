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

/** Opens a raw gateway connection, waits for HELLO, sends `frame` and resolves with the close code. */
async function closeCodeAfter(frame: string): Promise<{ code: number; reason: string }> {
  const ws = new WebSocket(`${emu.gatewayUrl}?v=10&encoding=json`);
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('error', reject);
  });
  ws.send(frame);
  return new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

/** A fresh gateway connection gets HELLO and an ACK for a heartbeat. */
async function heartbeatAcked(): Promise<boolean> {
  const ws = new WebSocket(`${emu.gatewayUrl}?v=10&encoding=json`);
  const ops: number[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      ops.push((JSON.parse(data.toString('utf8')) as { op: number }).op);
      if (ops.length === 1) ws.send(JSON.stringify({ op: 1, d: null }));
      else resolve();
    });
    ws.once('error', reject);
  });
  ws.close();
  return ops[0] === 10 && ops[1] === 11;
}

describe('malformed gateway frames', () => {
  it.each(['null', '5', '[]', '"x"', '{"d":{}}', '{"op":"1"}', '{not json'])('%s closes with 4002 (decode error) and the gateway keeps serving', async (frame) => {
    emu = await startEmulator({ heartbeatIntervalMs: 1000 });
    expect(await closeCodeAfter(frame)).toEqual({ code: 4002, reason: 'Error while decoding payload.' });
    expect(await heartbeatAcked()).toBe(true);
    await stillServes();
    expect(emu.counters.internalErrors).toBe(0);
  });

  it.each([99, -1, 1.5])('op %s closes with 4001 (unknown opcode)', async (op) => {
    emu = await startEmulator({ heartbeatIntervalMs: 1000 });
    expect(await closeCodeAfter(JSON.stringify({ op, d: null }))).toEqual({ code: 4001, reason: 'Unknown opcode.' });
    await stillServes();
  });

  it('a known op before IDENTIFY is still 4003, and IDENTIFY with a non-object d is 4004', async () => {
    emu = await startEmulator({ heartbeatIntervalMs: 1000 });
    expect((await closeCodeAfter(JSON.stringify({ op: 4, d: { guild_id: emu.fixture.guildId, channel_id: null } }))).code).toBe(4003);
    expect((await closeCodeAfter(JSON.stringify({ op: 2, d: 'x' }))).code).toBe(4004);
    expect((await closeCodeAfter(JSON.stringify({ op: 6, d: null }))).code).toBe(4004);
    await stillServes();
    expect(emu.counters.internalErrors).toBe(0);
  });
});
