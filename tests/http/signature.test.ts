import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestKeys } from '../helpers/keys.js';
import { command, ping, signed } from '../helpers/interactions.js';
import { startHarness, type Harness } from '../helpers/server.js';

describe('POST /interactions: signature, replay window and body checks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.listen();
  });
  afterAll(() => h.close());

  const raw = (headers: Record<string, string>, body: string | Buffer) =>
    fetch(`${h.url}/interactions`, { method: 'POST', headers, body });

  it('answers PING with PONG over real HTTP and through inject', async () => {
    expect(await h.post(ping())).toEqual({ status: 200, json: { type: 1 } });
    expect(await h.send(ping())).toEqual({ status: 200, json: { type: 1 } });
  });

  it('refuses a request without signature headers', async () => {
    const res = await raw({ 'content-type': 'application/json' }, JSON.stringify(ping()));
    expect(res.status).toBe(401);
  });

  it('refuses a signature made with another key', async () => {
    const other = createTestKeys();
    const s = signed(other, ping());
    expect((await raw(s.headers, s.payload)).status).toBe(401);
  });

  it('refuses a body changed after signing', async () => {
    const s = signed(h.keys, ping());
    expect((await raw(s.headers, s.payload.replace('"type":1', '"type":1 '))).status).toBe(401);
  });

  it('refuses a timestamp older than five minutes and one more than a minute ahead', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await h.post(ping(), now - 301)).status).toBe(401);
    expect((await h.post(ping(), now + 61)).status).toBe(401);
    expect((await h.post(ping(), now - 290)).status).toBe(200);
    expect((await h.post(ping(), now + 50)).status).toBe(200);
  });

  it('answers 400 to a correctly signed body that is not JSON, without reaching a handler', async () => {
    const s = signed(h.keys, '{"type": 2, oops');
    const res = await raw(s.headers, s.payload);
    expect(res.status).toBe(400);
    const s2 = signed(h.keys, '"just a string"');
    expect((await raw(s2.headers, s2.payload)).status).toBe(400);
  });

  it('answers 413 to a body over 1 MiB and keeps serving', async () => {
    const big = JSON.stringify({ type: 1, pad: 'x'.repeat(1024 * 1024) });
    const s = signed(h.keys, big);
    const res = await raw(s.headers, s.payload);
    expect(res.status).toBe(413);
    expect((await h.post(ping())).status).toBe(200);
  });

  it('handles a command signed with a non-JSON content type (Discord sends JSON, but bytes are bytes)', async () => {
    const s = signed(h.keys, command('config', 'show'));
    const res = await raw({ ...s.headers, 'content-type': 'text/plain' }, s.payload);
    expect(res.status).toBe(200);
  });

  it('reports health with version and database state', async () => {
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', db: true, version: expect.any(String) });
  });
});
