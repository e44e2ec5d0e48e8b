/**
 * Bad requests get Discord's errors, never a crash: each case is followed by a request proving the
 * emulator still serves.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { DiscordAPIError, REST } from '@discordjs/rest';
import { Routes, type APIMessage, type APIUser } from 'discord-api-types/v10';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';
import { startBotStub, tinyPng, type BotStub } from './helpers.js';

let emu: Emulator;
let bot: BotStub | undefined;

afterEach(async () => {
  await bot?.close();
  bot = undefined;
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

/** The rejection's raw Discord body (fails the test when the request succeeded). */
async function rawError(p: Promise<unknown>): Promise<{ status: number; body: unknown }> {
  const e = await p.then(
    () => new Error('request succeeded'),
    (err: unknown) => err,
  );
  if (!(e instanceof DiscordAPIError)) throw e;
  return { status: e.status, body: e.rawError };
}

const notDict = { _errors: [{ code: 'MODEL_TYPE_CONVERT', message: 'Only dictionaries may be used in a ModelType' }] };
const notList = { _errors: [{ code: 'BASE_TYPE_LIST', message: 'Must be an array.' }] };
const required = { _errors: [{ code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }] };
const invalid = (errors: unknown) => ({ message: 'Invalid Form Body', code: 50035, errors });

/** Malformed `attachments` values and the nested errors Discord answers them with. */
const badAttachments: [string, unknown, unknown][] = [
  ['5', 5, { attachments: notList }],
  ['"x"', 'x', { attachments: notList }],
  ['[null]', [null], { attachments: { 0: notDict } }],
  ['[5, []]', [5, []], { attachments: { 0: notDict, 1: notDict } }],
  ['[{}]', [{}], { attachments: { 0: { id: required } } }],
  ['[{ filename: "a" }]', [{ filename: 'a' }], { attachments: { 0: { id: required } } }],
  ['[{ id: "x" }]', [{ id: 'x' }], { attachments: { 0: { id: { _errors: [{ code: 'NUMBER_TYPE_COERCE', message: 'Value "x" is not snowflake.' }] } } } }],
  ['[{ id: 0, description: 5 }]', [{ id: 0, description: 5 }], { attachments: { 0: { description: { _errors: [{ code: 'BASE_TYPE_STRING', message: 'Must be a string.' }] } } } }],
];

describe('malformed message bodies', () => {
  it.each(badAttachments)('attachments %s on create (JSON and multipart) and edit → 50035', async (_name, attachments, errors) => {
    emu = await startEmulator({ rateLimits: false });
    const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    const ch = emu.fixture.channels.tonight;
    expect(await rawError(rest.post(Routes.channelMessages(ch), { body: { content: 'hi', attachments } }))).toEqual({ status: 400, body: invalid(errors) });
    const multipart = rest.post(Routes.channelMessages(ch), { body: { content: 'hi', attachments }, files: [{ name: 'a.png', data: tinyPng(), contentType: 'image/png' }] });
    expect(await rawError(multipart)).toEqual({ status: 400, body: invalid(errors) });
    const msg = (await rest.post(Routes.channelMessages(ch), { body: { content: 'v1' } })) as APIMessage;
    expect(await rawError(rest.patch(Routes.channelMessage(ch, msg.id), { body: { content: 'v2', attachments } }))).toEqual({ status: 400, body: invalid(errors) });
    expect(emu.message(ch, msg.id)?.content).toBe('v1');
    expect(emu.messages(ch)).toHaveLength(1);
    await stillServes();
    expect(emu.counters.internalErrors).toBe(0);
  });

  it('attachments on webhook follow-ups and @original edits → 50035', async () => {
    emu = await startEmulator({ rateLimits: false });
    bot = await startBotStub(emu.publicKey, () => ({ type: 4, data: { content: 'first' } }));
    emu.setInteractionsUrl(bot.url);
    const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    await rest.put(Routes.applicationGuildCommands(emu.applicationId, emu.fixture.guildId), { body: [{ name: 'ping', description: 'Ping' }] });
    const r = await emu.runCommand(emu.fixture.members.alice.id, 'ping');
    await r.final();
    const token = bot.received[0]?.body.token as string;
    for (const [, attachments, errors] of badAttachments) {
      const followup = rest.post(Routes.webhook(emu.applicationId, token), { body: { content: 'more', attachments }, auth: false });
      expect(await rawError(followup)).toEqual({ status: 400, body: invalid(errors) });
      const edit = rest.patch(Routes.webhookMessage(emu.applicationId, token, '@original'), { body: { content: 'edited', attachments }, auth: false });
      expect(await rawError(edit)).toEqual({ status: 400, body: invalid(errors) });
    }
    // Well-formed ones still work.
    await expect(rest.patch(Routes.webhookMessage(emu.applicationId, token, '@original'), { body: { content: 'edited', attachments: [] }, auth: false })).resolves.toMatchObject({ content: 'edited' });
    expect(emu.counters.internalErrors).toBe(0);
  });

  it('embeds[].fields that is not a list, and fields that are not objects → 50035', async () => {
    emu = await startEmulator({ rateLimits: false });
    const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    const ch = emu.fixture.channels.tonight;
    const notAList = rest.post(Routes.channelMessages(ch), { body: { embeds: [{ title: 't', fields: 'x' }] } });
    expect(await rawError(notAList)).toEqual({ status: 400, body: invalid({ embeds: { 0: { fields: notList } } }) });
    const notObjects = rest.post(Routes.channelMessages(ch), { body: { embeds: [{ title: 't', fields: [null, 5] }, { footer: 'x' }] } });
    expect(await rawError(notObjects)).toEqual({ status: 400, body: invalid({ embeds: { 0: { fields: { 0: notDict, 1: notDict } }, 1: { footer: notDict } } }) });
    await expect(rest.post(Routes.channelMessages(ch), { body: { embeds: [{ title: 't', fields: [{ name: 'n', value: 'v' }] }] } })).resolves.toMatchObject({ embeds: [{ title: 't' }] });
    expect(emu.counters.internalErrors).toBe(0);
  });
});

describe('path ids that are not snowflakes', () => {
  const notSnowflake = (name: string, value: string) => ({ [name]: { _errors: [{ code: 'NUMBER_TYPE_COERCE', message: `Value "${value}" is not snowflake.` }] } });

  it('answer 50035 `Value "x" is not snowflake.` under the parameter, as Discord does', async () => {
    emu = await startEmulator({ rateLimits: false });
    const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    const ch = emu.fixture.channels.tonight;
    expect(await rawError(rest.get(Routes.channel('x')))).toEqual({ status: 400, body: invalid(notSnowflake('channel_id', 'x')) });
    expect(await rawError(rest.get(Routes.channelMessage(ch, 'abc')))).toEqual({ status: 400, body: invalid(notSnowflake('message_id', 'abc')) });
    expect(await rawError(rest.post(Routes.channelMessages('12x'), { body: { content: 'hi' } }))).toEqual({ status: 400, body: invalid(notSnowflake('channel_id', '12x')) });
    expect(await rawError(rest.get(Routes.guildMember(emu.fixture.guildId, 'bob')))).toEqual({ status: 400, body: invalid(notSnowflake('user_id', 'bob')) });
    expect(await rawError(rest.get(Routes.channelMessage('a', 'b')))).toEqual({ status: 400, body: invalid({ ...notSnowflake('channel_id', 'a'), ...notSnowflake('message_id', 'b') }) });
    expect(await rawError(rest.get(Routes.channelMessage(ch, '1'.repeat(21))))).toMatchObject({ status: 400, body: { code: 50035 } });
    // Well-formed ids that do not exist are still 10003 / 10008, and @me / @original still route.
    await expect(rest.get(Routes.channel('123456789012345678'))).rejects.toMatchObject({ status: 404, code: 10003 });
    await expect(rest.get(Routes.channelMessage(ch, '123456789012345678'))).rejects.toMatchObject({ status: 404, code: 10008 });
    await stillServes();
    expect(emu.counters.internalErrors).toBe(0);
  });
});

describe('the last resort', () => {
  /** What the emulator logged with console.error (kept off the test output). */
  function captureErrors(): string[] {
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((first: unknown) => void logged.push(String(first)));
    return logged;
  }
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** A wire-log listener that throws once for the first event `pick` selects: a synchronous throw inside a listener. */
  function throwOnce(pick: (e: { kind: string; direction?: string }) => boolean): void {
    let armed = true;
    emu.on('event', (e) => {
      if (armed && pick(e)) {
        armed = false;
        throw new Error('listener bug');
      }
    });
  }

  it('a throw inside the REST request path is counted and contained; the emulator keeps serving', async () => {
    emu = await startEmulator();
    const logged = captureErrors();
    throwOnce((e) => e.kind === 'rest');
    await fetch(`${emu.api}/v10/users/@me`, { headers: { Authorization: `Bot ${emu.token}` } }).catch(() => undefined);
    expect(emu.counters.internalErrors).toBe(1);
    expect(logged).toEqual(['[emulator] request failed']);
    await stillServes();
  });

  it('a throw while handling a gateway frame closes that connection with 4000, the gateway keeps serving', async () => {
    emu = await startEmulator({ heartbeatIntervalMs: 1000 });
    const logged = captureErrors();
    throwOnce((e) => e.kind === 'gateway' && e.direction === 'in');
    expect(await closeCodeAfter(JSON.stringify({ op: 1, d: null }))).toEqual({ code: 4000, reason: 'Unknown error.' });
    expect(emu.counters.internalErrors).toBe(1);
    expect(logged).toEqual(['[emulator] gateway handler failed']);
    expect(await heartbeatAcked()).toBe(true);
    await stillServes();
  });

  it('a throw while opening a gateway connection closes it with 4000, the next one works', async () => {
    emu = await startEmulator({ heartbeatIntervalMs: 1000 });
    const logged = captureErrors();
    throwOnce((e) => e.kind === 'gateway');
    const ws = new WebSocket(`${emu.gatewayUrl}?v=10&encoding=json`);
    const { code } = await new Promise<{ code: number }>((resolve) => ws.once('close', (c) => resolve({ code: c })));
    expect(code).toBe(4000);
    expect(emu.counters.internalErrors).toBe(1);
    expect(logged).toEqual(['[emulator] gateway handler failed']);
    expect(await heartbeatAcked()).toBe(true);
    await stillServes();
  });
});

describe('clients that go away', () => {
  it('a request body cut off mid-way is not an emulator error', async () => {
    emu = await startEmulator();
    const logged = emu.waitForEvent((e) => e.kind === 'rest');
    const socket = connect(emu.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /api/v10/channels/${emu.fixture.channels.tonight}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bot ${emu.token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"content":`,
    );
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    expect(await logged).toMatchObject({ kind: 'rest', status: 400 });
    expect(emu.counters.internalErrors).toBe(0);
    expect(emu.messages(emu.fixture.channels.tonight)).toHaveLength(0);
    await stillServes();
  });
});
