import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandHandler } from '../../src/interactions/handler.js';
import { commands } from '../../src/interactions/commands/index.js';
import { createTestKeys, type TestKeys } from '../helpers/keys.js';
import { command, ping, signed } from '../helpers/interactions.js';
import { startHarness, type Harness } from '../helpers/server.js';

describe('POST /interactions: signature, replay window and body checks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.listen();
  });
  afterAll(() => h.close());

  const raw = (headers: Record<string, string>, body: string | Buffer) => fetch(`${h.url}/interactions`, { method: 'POST', headers, body });

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

/** A handler that only counts: no refused request may reach it. */
let reached = 0;
const spy: CommandHandler = {
  uses: [],
  definition: { name: 'spy', description: 'counts' },
  async execute() {
    reached += 1;
    return { content: 'reached' };
  },
};

type Request = { headers: Record<string, string>; payload: string };
const now = () => Math.floor(Date.now() / 1000);
const spyCall = () => JSON.stringify(command('spy', null));
const withoutSignature = ({ headers, payload }: Request): Request => {
  const { 'x-signature-ed25519': _s, 'x-signature-timestamp': _t, ...rest } = headers;
  return { headers: rest, payload };
};

/** Every way a request is refused before a handler, with the status Discord must get. */
const REJECTIONS: [string, (keys: TestKeys) => Request, number][] = [
  ['no signature headers', (k) => withoutSignature(signed(k, spyCall())), 401],
  [
    'a signature but no timestamp',
    (k) => {
      const s = signed(k, spyCall());
      const { 'x-signature-timestamp': _t, ...headers } = s.headers;
      return { headers, payload: s.payload };
    },
    401,
  ],
  [
    'a signature that is not hex',
    (k) => {
      const s = signed(k, spyCall());
      return { headers: { ...s.headers, 'x-signature-ed25519': 'z'.repeat(128) }, payload: s.payload };
    },
    401,
  ],
  ['a signature made with another key', () => signed(createTestKeys(), spyCall()), 401],
  [
    'a body changed after signing',
    (k) => {
      const s = signed(k, spyCall());
      return { headers: s.headers, payload: s.payload.replace('"spy"', '"spy" ') };
    },
    401,
  ],
  ['a timestamp over five minutes old', (k) => signed(k, spyCall(), now() - 301), 401],
  ['a timestamp over a minute ahead', (k) => signed(k, spyCall(), now() + 61), 401],
  ['a signed body that is not JSON', (k) => signed(k, '{"type": 2, "data": {"name": "spy"'), 400],
  ['a signed JSON string', (k) => signed(k, '"spy"'), 400],
  ['a signed JSON array', (k) => signed(k, spyCall().replace(/^/, '[').replace(/$/, ']')), 400],
  ['a signed body over 1 MiB', (k) => signed(k, JSON.stringify({ ...command('spy', null), pad: 'x'.repeat(1024 * 1024) })), 413],
];

describe('every refused request, over real HTTP and through inject, never reaches a handler', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ server: { commands: [...commands, spy] } });
    await h.listen();
  });
  afterAll(() => h.close());

  const viaInject = async ({ headers, payload }: Request) => {
    const res = await h.server.fastify.inject({ method: 'POST', url: '/interactions', headers, payload });
    return { status: res.statusCode, json: res.json() as { error?: string } };
  };
  const viaHttp = async ({ headers, payload }: Request) => {
    const res = await fetch(`${h.url}/interactions`, { method: 'POST', headers, body: payload });
    return { status: res.status, json: (await res.json()) as { error?: string } };
  };

  it('the spy is reached by a correctly signed call (the control case)', async () => {
    reached = 0;
    expect((await viaInject(signed(h.keys, spyCall()))).status).toBe(200);
    expect((await viaHttp(signed(h.keys, spyCall()))).status).toBe(200);
    expect(reached).toBe(2);
  });

  it.each(REJECTIONS)('%s → %i', async (_what, build, status) => {
    reached = 0;
    for (const send of [viaInject, viaHttp]) {
      const res = await send(build(h.keys));
      expect(res.status).toBe(status);
      expect(res.json.error).toEqual(expect.any(String));
    }
    expect(reached).toBe(0);
    expect((await viaHttp(signed(h.keys, ping()))).status).toBe(200);
  });
});
