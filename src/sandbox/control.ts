/**
 * The control API: the typed test API's actions as small JSON endpoints under `/control`, plus
 * `GET /control/events` (Server-Sent Events) streaming the wire log. Members and channels may be
 * given by fixture key (`alice`, `tonight`) or by id.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DiscordError } from './errors.js';
import type { Emulator } from './emulator.js';
import type { FaultSpec } from './rest/faults.js';
import type { EmulatedMessage } from './state/view.js';
import type { WireEvent, WireLog } from './wire.js';
import { pageRoutes } from './web/view.js';

type Body = Record<string, any>;
export type ControlHandler = (emu: Emulator, body: Body, query: URLSearchParams, match: string[]) => unknown | Promise<unknown>;
type Handler = ControlHandler;

/** Routes a runner added to one emulator (see {@link addControlRoute}). */
const extraRoutes = new WeakMap<Emulator, [string, RegExp, Handler][]>();

/**
 * Adds a control endpoint to one emulator. For what only its runner can do — the sandbox's clock
 * belongs to the bot, which the emulator must not import — e.g.
 * `addControlRoute(emu, 'POST', /^\/clock$/, (_emu, body) => moveClock(body))`.
 * Errors thrown answer 400 with their message.
 */
export function addControlRoute(emu: Emulator, method: string, pattern: RegExp, handler: ControlHandler): void {
  extraRoutes.set(emu, [...(extraRoutes.get(emu) ?? []), [method.toUpperCase(), pattern, handler]]);
}

class BadRequest extends Error {}

function user(emu: Emulator, ref: unknown): string {
  if (typeof ref !== 'string' || ref === '') throw new BadRequest('user is required (fixture key or id)');
  return emu.fixture.members[ref]?.id ?? ref;
}

function channel(emu: Emulator, ref: unknown): string {
  if (typeof ref !== 'string' || ref === '') throw new BadRequest('channel is required (fixture key or id)');
  return emu.fixture.channels[ref] ?? ref;
}

function str(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new BadRequest(`${name} is required`);
  return value;
}

/** Files as base64 so the JSON stays readable. */
function messageOut(m: EmulatedMessage) {
  return { ...m, files: m.files.map(({ bytes, ...f }) => ({ ...f, bytes_base64: bytes.toString('base64') })) };
}

async function interactionOut(result: Awaited<ReturnType<Emulator['runCommand']>>, waitMs: number) {
  let message: unknown = null;
  if (!result.error && waitMs > 0) message = await result.final(waitMs).then(messageOut, () => null);
  return { id: result.id, via: result.via, status: result.status, response: result.response, error: result.error, message };
}

const routes: [method: string, pattern: RegExp, handler: Handler][] = [
  ['GET', /^$/, () => ({ endpoints: routes.map(([m, p]) => `${m} /control${p.source.replace(/[\^$\\]/g, '').replace('([^/]+)', ':id')}`) })],
  [
    'GET',
    /^\/state$/,
    (emu) => ({
      fixture: emu.fixture,
      api: emu.api,
      gateway: emu.gatewayUrl,
      publicKey: emu.publicKey,
      applicationId: emu.applicationId,
      interactionsUrl: emu.interactionsUrl,
      counters: emu.counters,
      voiceStates: emu.voiceStates(),
      sessions: emu.gatewaySessions,
      voiceOps: emu.voiceOps,
    }),
  ],
  ['GET', /^\/counters$/, (emu) => emu.counters],
  ['POST', /^\/counters\/reset$/, (emu) => (emu.resetCounters(), { ok: true })],
  ['GET', /^\/commands$/, (emu, _b, q) => emu.commands(q.get('guild') ?? undefined)],
  [
    'GET',
    /^\/channels\/([^/]+)\/messages$/,
    (emu, _b, q, [ref]) => {
      const as = q.get('as');
      return emu.messages(channel(emu, ref), { ...(as ? { as: user(emu, as) } : {}), all: q.get('all') === 'true' }).map(messageOut);
    },
  ],
  ['GET', /^\/dms\/([^/]+)$/, (emu, _b, _q, [ref]) => emu.dms(user(emu, ref)).map(messageOut)],
  ['POST', /^\/react$/, async (emu, b) => (await emu.react(user(emu, b.user), channel(emu, b.channel), str(b.message, 'message'), str(b.emoji, 'emoji')), { ok: true })],
  ['POST', /^\/unreact$/, async (emu, b) => (await emu.unreact(user(emu, b.user), channel(emu, b.channel), str(b.message, 'message'), str(b.emoji, 'emoji')), { ok: true })],
  ['POST', /^\/messages\/delete$/, async (emu, b) => (await emu.deleteMessage(channel(emu, b.channel), str(b.message, 'message')), { ok: true })],
  [
    'POST',
    /^\/reactions\/clear$/,
    async (emu, b) => (await emu.clearReactions(channel(emu, b.channel), str(b.message, 'message'), b.emoji === undefined ? undefined : str(b.emoji, 'emoji')), { ok: true }),
  ],
  ['POST', /^\/say$/, async (emu, b) => messageOut(await emu.say(user(emu, b.user), channel(emu, b.channel), str(b.content, 'content')))],
  ['POST', /^\/voice\/join$/, async (emu, b) => (await emu.joinVoice(user(emu, b.user), channel(emu, b.channel), { selfMute: b.selfMute, selfDeaf: b.selfDeaf }), { ok: true })],
  ['POST', /^\/voice\/leave$/, async (emu, b) => (await emu.leaveVoice(user(emu, b.user)), { ok: true })],
  ['POST', /^\/voice\/flags$/, async (emu, b) => (await emu.setVoiceFlags(user(emu, b.user), { selfMute: b.selfMute, selfDeaf: b.selfDeaf }), { ok: true })],
  ['GET', /^\/voice$/, (emu) => emu.voiceStates()],
  ['GET', /^\/voice\/utterances$/, (emu) => emu.voiceUtterances()],
  ['GET', /^\/voice\/sessions$/, (emu) => emu.voiceSessions],
  ['POST', /^\/voice\/drop$/, (emu, b) => ({ dropped: emu.dropVoice({ resumable: b.resumable ?? true }) })],
  [
    'POST',
    /^\/voice\/dave$/,
    (emu, b) => {
      if (typeof b.supported !== 'boolean') throw new BadRequest('supported must be true or false');
      return (emu.setDaveSupport(user(emu, b.user), b.supported), { ok: true });
    },
  ],
  [
    'POST',
    /^\/commands\/run$/,
    async (emu, b) => interactionOut(await emu.runCommand(user(emu, b.user), str(b.name, 'name'), b.options ?? [], b.channel ? { channelId: channel(emu, b.channel) } : {}), b.waitMs ?? 5000),
  ],
  ['POST', /^\/autocomplete$/, async (emu, b) => emu.autocomplete(user(emu, b.user), str(b.name, 'name'), b.options ?? [], b.channel ? { channelId: channel(emu, b.channel) } : {})],
  [
    'POST',
    /^\/components\/select$/,
    async (emu, b) => interactionOut(await emu.selectMenu(user(emu, b.user), str(b.message, 'message'), str(b.customId, 'customId'), b.values ?? []), b.waitMs ?? 5000),
  ],
  ['POST', /^\/components\/button$/, async (emu, b) => interactionOut(await emu.pressButton(user(emu, b.user), str(b.message, 'message'), str(b.customId, 'customId')), b.waitMs ?? 5000)],
  [
    'POST',
    /^\/modal$/,
    async (emu, b) => interactionOut(await emu.submitModal(user(emu, b.user), str(b.customId, 'customId'), b.fields ?? {}, b.channel ? { channelId: channel(emu, b.channel) } : {}), b.waitMs ?? 5000),
  ],
  [
    'POST',
    /^\/gateway\/drop$/,
    (emu, b) => ({ dropped: emu.dropGateway({ resumable: b.resumable ?? true, ...(b.code ? { code: b.code } : {}), ...(typeof b.shard === 'number' ? { shard: b.shard } : {}) }) }),
  ],
  ['POST', /^\/gateway\/exhaust-session-starts$/, (emu, b) => (emu.exhaustSessionStarts(typeof b.resetAfterMs === 'number' ? b.resetAfterMs : 60_000), { ok: true })],
  ['POST', /^\/gateway\/reconnect$/, (emu) => (emu.requestReconnect(), { ok: true })],
  ['POST', /^\/gateway\/heartbeat$/, (emu) => (emu.requestHeartbeat(), { ok: true })],
  ['POST', /^\/gateway\/invalidate$/, (emu, b) => (emu.invalidateSession(b.resumable ?? false), { ok: true })],
  ['GET', /^\/gateway\/sessions$/, (emu) => emu.gatewaySessions],
  ['GET', /^\/gateway\/voice-ops$/, (emu) => emu.voiceOps],
  ['POST', /^\/faults$/, (emu, b) => (emu.injectFault(b as FaultSpec), { ok: true })],
  ['DELETE', /^\/faults$/, (emu) => (emu.clearFaults(), { ok: true })],
  ['POST', /^\/interactions-url$/, (emu, b) => (emu.setInteractionsUrl(b.url ?? null), { ok: true })],
  ['POST', /^\/interactions-url\/verify$/, (emu) => emu.verifyInteractionsEndpoint()],
];

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' }).end(text);
}

/** `GET /control/voice/utterances/:n.wav`: the n-th utterance (0 = oldest listed) as decoded audio. */
function sendWav(res: ServerResponse, emu: Emulator, n: number): void {
  const bytes = emu.voiceUtteranceWav(n);
  if (!bytes) return sendJson(res, 404, { error: `no finished utterance ${n} (GET /control/voice/utterances lists them, oldest first)` });
  res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': bytes.length, 'Access-Control-Allow-Origin': '*' }).end(bytes);
}

function streamEvents(log: WireLog, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'Access-Control-Allow-Origin': '*' });
  res.write(': connected\n\n');
  const write = (e: WireEvent) => res.write(`event: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`);
  const replay = Number(query.get('replay') ?? '100');
  for (const e of log.recent.slice(-Math.max(0, replay))) write(e);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000).unref();
  log.on('event', write);
  req.on('close', () => {
    clearInterval(keepAlive);
    log.off('event', write);
  });
}

export async function handleControl(emu: Emulator, log: WireLog, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  const path = url.pathname.replace(/^\/control/, '').replace(/\/+$/, '');
  if (method === 'OPTIONS') {
    res.writeHead(204, { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Methods': 'GET, POST, DELETE', 'Access-Control-Allow-Headers': 'Content-Type' }).end();
    return;
  }
  if (method === 'GET' && path === '/events') return streamEvents(log, req, res, url.searchParams);
  const wav = /^\/voice\/utterances\/(\d+)\.wav$/.exec(path);
  if (method === 'GET' && wav) return sendWav(res, emu, Number(wav[1]));
  let body: Body = {};
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length > 0) {
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Body;
    } catch {
      return sendJson(res, 400, { error: 'body is not valid JSON' });
    }
  }
  for (const [m, pattern, handler] of [...routes, ...pageRoutes, ...(extraRoutes.get(emu) ?? [])]) {
    const match = pattern.exec(path);
    if (!match || m !== method) continue;
    try {
      const result = await handler(emu, body ?? {}, url.searchParams, match.slice(1).map(decodeURIComponent));
      if (method !== 'GET') log.push({ kind: 'control', action: `${method} ${path}`, detail: body });
      return sendJson(res, 200, result ?? { ok: true });
    } catch (e) {
      if (e instanceof DiscordError) return sendJson(res, e.status, { error: e.message, discord: e.toJSON() });
      return sendJson(res, 400, { error: (e as Error).message });
    }
  }
  sendJson(res, 404, { error: `no control endpoint ${method} /control${path}` });
}
