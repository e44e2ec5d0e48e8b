/**
 * Delivers interactions to the bot and records its answer, like Discord. With an interactions URL
 * set for the application: POST JSON with `X-Signature-Ed25519` / `X-Signature-Timestamp`, wait up
 * to 3 s, treat the body as the initial response (JSON, or multipart with files); no
 * INTERACTION_CREATE is sent. Without one: INTERACTION_CREATE on the gateway (no intent needed), and
 * the initial response must come to the callback route within 3 s (10062 after, 40060 for a second).
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#receiving-an-interaction
 * @see https://discord.com/developers/docs/events/gateway-events#interaction-create
 */
import { randomBytes } from 'node:crypto';
import { InteractionResponseType, InteractionType } from 'discord-api-types/v10';
import { DiscordError } from '../errors.js';
import { LOADING } from '../state/messages.js';
import { viewMessage, type EmulatedMessage } from '../state/view.js';
import type { World } from '../state/world.js';
import { parseBody } from '../rest/body.js';
import { describeWireEvent, type WireLog } from '../wire.js';
import { basePayload } from './payloads.js';
import type { InteractionSigner } from './signing.js';
import type { InteractionRecord, InteractionStore } from './store.js';

/** What happened to one interaction. */
export interface InteractionResult {
  id: string;
  /** The payload that was POSTed. */
  interaction: Record<string, unknown>;
  /** How it reached the bot: POSTed to the interactions URL, or INTERACTION_CREATE when none is set. */
  via: 'http' | 'gateway';
  /**
   * The bot's HTTP status (0 when it did not answer in time or could not be reached). Over the
   * gateway: 200 once the initial response came to the callback route in time, else 0.
   */
  status: number;
  /** The bot's parsed response body (JSON), if any; over the gateway, the body of its callback. */
  response: unknown;
  /** Why Discord would show "This interaction failed" (null when the response was valid). */
  error: string | null;
  /**
   * The message the interaction ended up as, once it is final: the reply (type 4), the deferred
   * reply after `PATCH @original` or the first follow-up (type 5), or the component's message after
   * an update (type 7, or an edit following type 6). Rejects after `timeoutMs` (default 10 s).
   */
  final(timeoutMs?: number): Promise<EmulatedMessage>;
}

export interface SendOptions {
  type: InteractionType;
  channelId: string;
  userId: string;
  data?: Record<string, unknown>;
  message?: unknown;
  name?: string;
  commandType?: number;
  customId?: string;
  componentMessageId?: string;
}

export class InteractionClient {
  url: string | null = null;

  constructor(
    private readonly world: World,
    private readonly store: InteractionStore,
    private readonly signer: InteractionSigner,
    private readonly log: WireLog,
    /** How long the bot has to answer (Discord: 3 s). */
    private readonly responseTimeoutMs: number,
  ) {}

  async send(o: SendOptions): Promise<InteractionResult> {
    const id = this.world.ids.next();
    const token = `aW50ZXJhY3Rpb246${id}:${randomBytes(24).toString('base64url')}`;
    const payload = basePayload(this.world, { id, token, type: o.type, channelId: o.channelId, userId: o.userId });
    if (o.data) payload.data = o.data;
    if (o.message) payload.message = o.message;
    const record: InteractionRecord = {
      id,
      token,
      type: o.type,
      guildId: this.world.channel(o.channelId).guildId,
      channelId: o.channelId,
      userId: o.userId,
      createdAt: Date.now(),
      payload,
      response: null,
      originalMessageId: null,
      followupIds: [],
      ...(o.name !== undefined ? { name: o.name } : {}),
      ...(o.commandType !== undefined ? { commandType: o.commandType } : {}),
      ...(o.customId !== undefined ? { customId: o.customId } : {}),
      ...(o.componentMessageId !== undefined ? { componentMessageId: o.componentMessageId } : {}),
    };
    this.store.add(record);
    this.world.counters.interactions += 1;
    const via = this.url ? 'http' : 'gateway';
    const { status, response, error } = this.url ? await this.#post(record, JSON.stringify(payload)) : await this.#overGateway(record);
    this.log.push({
      kind: 'interaction',
      id,
      type: o.type,
      via,
      ...(o.name !== undefined ? { name: o.name } : {}),
      ...(o.customId !== undefined ? { customId: o.customId } : {}),
      userId: o.userId,
      status,
      ...(record.response ? { responseType: record.response.type } : {}),
      ...(error ? { error } : {}),
    });
    return { id, interaction: payload, via, status, response, error, final: (timeoutMs = 10_000) => this.#final(record, timeoutMs) };
  }

  /**
   * No interactions URL: INTERACTION_CREATE to the gateway session(s) covering the guild, then wait
   * for the callback route to take an initial response (or refuse one) within the window.
   */
  async #overGateway(record: InteractionRecord): Promise<{ status: number; response: unknown; error: string | null }> {
    const reached = this.world.dispatch({ t: 'INTERACTION_CREATE', d: record.payload, guildId: record.guildId });
    if (reached === 0) return { status: 0, response: null, error: 'no interactions URL set and no gateway session to send INTERACTION_CREATE to' };
    try {
      await this.store.waitFor(record, (r) => (r.response || r.refusedCallback ? true : undefined), this.responseTimeoutMs);
    } catch {
      return { status: 0, response: null, error: `no response within ${this.responseTimeoutMs} ms` };
    }
    if (!record.response) return { status: 0, response: null, error: record.refusedCallback ?? 'callback refused' };
    return { status: 200, response: { type: record.response.type, ...(record.response.data !== undefined ? { data: record.response.data } : {}) }, error: null };
  }

  /** POSTs a signed body; `badSignature` sends a wrong one (Discord checks endpoints reject those). */
  async #post(record: InteractionRecord | null, body: string, badSignature = false): Promise<{ status: number; response: unknown; error: string | null }> {
    const timestamp = Math.floor(Date.now() / 1000).toString();
    let signature = this.signer.sign(timestamp, body);
    if (badSignature) signature = signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    let res: Response;
    try {
      res = await fetch(this.url as string, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Discord-Interactions/1.0 (+https://discord.com)',
          'X-Signature-Ed25519': signature,
          'X-Signature-Timestamp': timestamp,
        },
        body,
        signal: AbortSignal.timeout(this.responseTimeoutMs),
      });
    } catch (e) {
      const timedOut = (e as Error).name === 'TimeoutError';
      return { status: 0, response: null, error: timedOut ? `no response within ${this.responseTimeoutMs} ms` : `could not reach ${this.url}: ${(e as Error).message}` };
    }
    const raw = Buffer.from(await res.arrayBuffer());
    let response: unknown = null;
    let files: Awaited<ReturnType<typeof parseBody>>['files'] = [];
    try {
      const parsed = await parseBody(raw, res.headers.get('content-type') ?? 'application/json');
      response = parsed.json;
      files = parsed.files;
    } catch {
      return { status: res.status, response: raw.toString('utf8'), error: 'response body is not valid JSON' };
    }
    if (!record) return { status: res.status, response, error: res.ok ? null : `HTTP ${res.status}` };
    if (!res.ok) return { status: res.status, response, error: `HTTP ${res.status}` };
    if (response === null) return { status: res.status, response, error: record.response ? null : 'empty response body' };
    try {
      this.store.respond(record, response as { type?: unknown; data?: unknown }, files, 'http');
      this.log.push({ kind: 'interaction-response', id: record.id, via: 'http', type: (response as { type: number }).type });
      return { status: res.status, response, error: null };
    } catch (e) {
      return { status: res.status, response, error: e instanceof DiscordError ? `${e.code} ${e.message}${e.errors ? ` ${JSON.stringify(e.errors)}` : ''}` : String(e) };
    }
  }

  #final(record: InteractionRecord, timeoutMs: number): Promise<EmulatedMessage> {
    const waiting = this.store.waitFor(
      record,
      (r) => {
        if (!r.response) return undefined;
        const type = r.response.type;
        if (type === InteractionResponseType.ApplicationCommandAutocompleteResult || type === InteractionResponseType.Modal) {
          return fail(`response type ${type} has no message; read result.response instead`);
        }
        const message = r.originalMessageId ? this.world.messages.get(r.originalMessageId) : undefined;
        if (!message) return undefined;
        if ((message.flags & LOADING) !== 0) return undefined;
        if (type === InteractionResponseType.DeferredMessageUpdate && !(message.editedTimestamp && Date.parse(message.editedTimestamp) >= r.createdAt)) return undefined;
        return viewMessage(this.world, message, r.userId);
      },
      timeoutMs,
    );
    // A test that times out here says what the emulator saw of this interaction, not only that it waited.
    return waiting.catch((error: unknown) => {
      throw error instanceof Error && /did not reach its final state/.test(error.message) ? new Error(`${error.message}\n${this.#trace(record)}`) : error;
    });
  }

  /** What crossed the wire for one interaction since it was sent: its dispatch, the gateway's closes and resumes, its REST calls. */
  #trace(record: InteractionRecord): string {
    const from = record.createdAt - 1_000;
    const lines = this.log.recent
      .filter((e) => e.at >= from)
      .filter((e) => {
        switch (e.kind) {
          case 'gateway':
            return (
              e.op !== 1 &&
              e.op !== 11 &&
              (e.t !== 'INTERACTION_CREATE' || (e.d as { id?: string } | undefined)?.id === record.id) &&
              (e.op !== 0 || ['INTERACTION_CREATE', 'READY', 'RESUMED'].includes(e.t ?? ''))
            );
          case 'gateway-close':
            return true;
          case 'rest':
            return e.path.includes(record.id) || e.path.includes(encodeURIComponent(record.token)); // webhook routes carry the token, its ':' encoded
          case 'interaction':
          case 'interaction-response':
            return e.id === record.id;
          default:
            return false;
        }
      })
      .map(
        (e) => `  ${e.at >= record.createdAt ? '+' : '−'}${Math.abs(e.at - record.createdAt)} ms ${describeWireEvent(e)}${e.kind === 'rest' && e.error ? ` ${e.error.code} ${e.error.message}` : ''}`,
      );
    const state = record.response ? `answered with type ${record.response.type}` : record.refusedCallback ? `callback refused: ${record.refusedCallback}` : 'no initial response';
    return [`what the emulator saw (${state}, via ${this.url ? 'http' : 'gateway'}):`, ...(lines.length ? lines : ['  nothing'])].join('\n');
  }

  /**
   * Checks the endpoint like the Developer Portal does when you save it: a signed PING must get
   * `{ type: 1 }`, a PING with a bad signature must get 401.
   */
  async verifyEndpoint(): Promise<{ ok: boolean; ping: number; badSignature: number; detail: string }> {
    if (!this.url) throw new Error('no interactions URL set');
    const body = JSON.stringify({ id: this.world.ids.next(), application_id: this.world.application.id, type: InteractionType.Ping, token: randomBytes(16).toString('hex'), version: 1, user: null });
    const ping = await this.#post(null, body);
    const bad = await this.#post(null, body, true);
    const pong = (ping.response as { type?: unknown } | null)?.type === 1;
    const ok = ping.status === 200 && pong && bad.status === 401;
    return { ok, ping: ping.status, badSignature: bad.status, detail: ok ? 'ok' : `PING → ${ping.status} ${JSON.stringify(ping.response)}, bad signature → ${bad.status}` };
  }
}

function fail(message: string): never {
  throw new Error(message);
}
