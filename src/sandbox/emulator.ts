/**
 * The emulator: one HTTP server on 127.0.0.1 with REST (`/api/v10`), the gateway (`/gateway`), the
 * control API (`/control`) and attachment downloads — and the typed API tests drive it with.
 * It plays Discord and the guild's members; it imports nothing from the bot.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorOptions } from './emulator-options.js';
import { describeFixture, resolveFixtureInput } from './fixture.js';
import { createHttpServer } from './http.js';
import { InteractionClient } from './interactions/client.js';
import { InteractionSigner } from './interactions/signing.js';
import { InteractionStore } from './interactions/store.js';
import { MemberActions } from './member-actions.js';
import { FaultInjector, type FaultSpec } from './rest/faults.js';
import { RateLimiter } from './rest/rate-limits.js';
import { commandJson } from './rest/routes/commands.js';
import { buildRouter, type RestServerParts } from './rest/server.js';
import { sweepNonces } from './state/messages.js';
import { resolveScale, scaleWorld, type ScaledGuild } from './state/scale.js';
import { seedWorld } from './state/seed.js';
import { viewMessage, type EmulatedMessage } from './state/view.js';
import { World } from './state/world.js';
import { WireLog, type CountersSnapshot, type WireEvent } from './wire.js';
import { applicationFlagsFor } from './ws-gateway/intents.js';
import { GatewayServer, type VoiceOp } from './ws-gateway/server.js';
import { DISCORD_MAX_GUILDS_PER_SHARD, recommendedShards } from './ws-gateway/sharding.js';
import { VoiceServer } from './voice/server.js';
import type { Utterance } from './voice/utterances.js';

export type { EmulatorOptions, RunOptions, VoiceFlags } from './emulator-options.js';

/** Serves `/control` (the control API, the sandbox page's view): given by `startEmulator`, which knows it. */
export type ControlHandler = (emu: Emulator, log: WireLog, req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

/** The world and the interaction client, made before the emulator (its members act on them). */
function core(options: EmulatorOptions) {
  const input = resolveFixtureInput(options.fixture);
  const world = new World(input, options.now);
  seedWorld(world, input);
  const scaledGuilds = options.scale ? scaleWorld(world, input, resolveScale(options.scale, input)) : [];
  const log = new WireLog(2000, options.logRequests ?? false);
  const signer = new InteractionSigner();
  const store = new InteractionStore(world, {
    callbackWindowMs: options.interactionCallbackWindowMs ?? 3000,
    tokenTtlMs: options.interactionTokenTtlMs ?? 15 * 60_000,
  });
  const interactions = new InteractionClient(world, store, signer, log, options.interactionTimeoutMs ?? 3000);
  interactions.url = options.interactionsUrl ?? null;
  return { world, fixture: describeFixture(input), scaledGuilds, log, store, interactions, signer };
}

export class Emulator extends MemberActions {
  /** Every guild's generated layout when started with `scale` (the fixture guild first); else empty. */
  readonly scaledGuilds: readonly ScaledGuild[];
  readonly publicKey: string;
  readonly #server: Server;
  readonly #log: WireLog;
  readonly #gateway: GatewayServer;
  readonly #store: InteractionStore;
  readonly #limiter: RateLimiter;
  readonly #faults = new FaultInjector();
  readonly #signer: InteractionSigner;
  readonly #sweeper: NodeJS.Timeout;
  readonly #voice: VoiceServer;
  #privilegedIntents: number;
  #port = 0;

  private constructor(options: EmulatorOptions, control: ControlHandler, parts: ReturnType<typeof core>) {
    super(parts.world, parts.fixture, parts.interactions);
    this.scaledGuilds = parts.scaledGuilds;
    this.#signer = parts.signer;
    this.publicKey = parts.signer.publicKey;
    this.#log = parts.log;
    this.#store = parts.store;
    this.#privilegedIntents = options.privilegedIntents ?? 0;
    this.world.application.flags = applicationFlagsFor(this.#privilegedIntents);
    this.#limiter = new RateLimiter(options.rateLimits ?? true, options.rateLimitWindowScale ?? 1, options.rateLimitClock);
    this.#voice = new VoiceServer({
      world: this.world,
      log: this.#log,
      ...(options.voiceModes ? { modes: options.voiceModes } : {}),
      ...(options.voiceHeartbeatIntervalMs ? { heartbeatIntervalMs: options.voiceHeartbeatIntervalMs } : {}),
    });
    this.#gateway = new GatewayServer({
      world: this.world,
      log: this.#log,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      privilegedIntents: () => this.#privilegedIntents,
      sessionTtlMs: options.sessionTtlMs ?? 5 * 60_000,
      url: () => this.gatewayUrl,
      voice: this.#voice,
      maxGuildsPerShard: options.sharding?.maxGuildsPerShard ?? DISCORD_MAX_GUILDS_PER_SHARD,
      sessionStartTotal: options.sharding?.sessionStartTotal ?? 1000,
      ...(options.sharding?.sessionStartResetMs ? { sessionStartResetMs: options.sharding.sessionStartResetMs } : {}),
    });
    // The voice server follows voice states: the bot leaving ends its voice session, members join media sessions.
    const deliver = this.world.dispatch;
    this.world.dispatch = (event) => {
      const delivered = deliver(event);
      if (event.t === 'VOICE_STATE_UPDATE' && event.guildId) {
        const d = event.d as { user_id: string; channel_id: string | null };
        this.#voice.voiceStateChanged(event.guildId, d.user_id, d.channel_id);
      }
      return delivered;
    };
    const rest: RestServerParts = {
      deps: {
        world: this.world,
        interactions: this.#store,
        gatewayUrl: () => this.gatewayUrl,
        gatewayBot: () => ({
          shards: recommendedShards([...this.world.guilds.values()].filter((g) => g.members.has(this.world.botUserId)).length, options.sharding?.recommendedShards),
          session_start_limit: this.#gateway.sessionStarts.limit(Date.now()),
        }),
        privilegedIntents: () => this.#privilegedIntents,
        privilegedIntentFlags: () => this.world.application.flags,
        interactionsUrl: () => this.interactions.url,
        publicKey: this.publicKey,
      },
      limiter: this.#limiter,
      faults: this.#faults,
      log: this.#log,
    };
    this.#server = createHttpServer({
      world: this.world,
      rest,
      router: buildRouter(),
      gateway: this.#gateway,
      control: (req, res, url) => control(this, this.#log, req, res, url),
    });
    this.#sweeper = setInterval(() => sweepNonces(this.world), 60_000).unref();
  }

  /** Starts an emulator and resolves once it listens. */
  static async start(options: EmulatorOptions, control: ControlHandler): Promise<Emulator> {
    const emu = new Emulator(options, control, core(options));
    try {
      await emu.#voice.listen();
      await new Promise<void>((resolve, reject) => {
        emu.#server.once('error', reject);
        emu.#server.listen(options.port ?? 0, '127.0.0.1', () => {
          emu.#server.off('error', reject);
          // Later server errors (e.g. EMFILE on accept) are logged, never fatal.
          emu.#server.on('error', (error) => console.error('[emulator] server error', error));
          resolve();
        });
      });
    } catch (e) {
      // e.g. EADDRINUSE: nothing of this emulator may keep the process alive.
      clearInterval(emu.#sweeper);
      await emu.#gateway.close();
      await emu.#voice.close();
      throw e;
    }
    emu.#port = (emu.#server.address() as AddressInfo).port;
    emu.world.baseUrl = `http://127.0.0.1:${emu.#port}`;
    return emu;
  }

  get port(): number {
    return this.#port;
  }
  /** REST base for @discordjs/rest's `api` option (it appends `/v10`). */
  get api(): string {
    return `http://127.0.0.1:${this.#port}/api`;
  }
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.#port}/gateway`;
  }
  get controlUrl(): string {
    return `http://127.0.0.1:${this.#port}/control`;
  }
  /** The bot token REST and the gateway accept. */
  get token(): string {
    return this.world.application.token;
  }
  get applicationId(): string {
    return this.world.application.id;
  }
  get interactionsUrl(): string | null {
    return this.interactions.url;
  }

  /** Where interactions go from now on (the bot's `/interactions` URL). */
  setInteractionsUrl(url: string | null): void {
    this.interactions.url = url;
  }

  /** Enables or disables privileged intents for the app (affects the next IDENTIFY). */
  setPrivilegedIntents(bits: number): void {
    this.#privilegedIntents = bits;
    this.world.application.flags = applicationFlagsFor(bits);
  }

  /** Turns rate limiting on or off at runtime. */
  setRateLimits(enabled: boolean): void {
    this.#limiter.enabled = enabled;
  }

  // ── reading ────────────────────────────────────────────────────────────────

  /**
   * Messages of a channel, oldest first. Without `as`, ephemeral messages are left out (what the
   * channel shows everyone); with `as: userId`, that member's ephemeral messages are included and
   * `reactions[].me` is from their point of view. `all: true` includes every ephemeral message.
   */
  messages(channelId: string, opts: { as?: string; all?: boolean } = {}): EmulatedMessage[] {
    this.world.channel(channelId);
    return this.world
      .messagesOf(channelId)
      .filter((m) => !m.ephemeralFor || opts.all || m.ephemeralFor === opts.as)
      .map((m) => viewMessage(this.world, m, opts.as ?? this.world.botUserId));
  }

  /** The messages of a user's DM channel with the bot, oldest first; empty when the bot never opened one. */
  dms(userId: string): EmulatedMessage[] {
    const channelId = this.world.dmChannelByUser.get(userId);
    return channelId ? this.messages(channelId) : [];
  }

  /** One message (ephemeral ones included), or undefined. */
  message(channelId: string, messageId: string): EmulatedMessage | undefined {
    const m = this.world.messages.get(messageId);
    return m && m.channelId === channelId ? viewMessage(this.world, m) : undefined;
  }

  /**
   * Ground truth of a message's reactions: emoji (unicode text, or `name:id` for a custom one) →
   * the ids of everyone holding it, in the order they reacted (the bot included). What a check of
   * the bot's text against the real votes reads, without the bot's own view of them.
   */
  reactionUsers(channelId: string, messageId: string): Record<string, string[]> {
    const m = this.world.message(channelId, messageId);
    return Object.fromEntries(m.reactions.map((r) => [r.emoji.id ? `${r.emoji.name}:${r.emoji.id}` : r.emoji.name, [...r.userIds]]));
  }

  /**
   * The headers Discord would send with `body`, signed with the application's key at `timestamp`
   * (unix seconds, default now) — whatever the body holds. For hostile-input tests of an endpoint:
   * a valid signature over garbage, a payload Discord would never send.
   */
  signedHeaders(body: string | Buffer, timestamp = Math.floor(Date.now() / 1000)): { 'x-signature-ed25519': string; 'x-signature-timestamp': string } {
    const ts = String(timestamp);
    return { 'x-signature-ed25519': this.#signer.sign(ts, Buffer.isBuffer(body) ? body.toString('latin1') : body, Buffer.isBuffer(body) ? body : undefined), 'x-signature-timestamp': ts };
  }

  /** Registered commands: global, or of a guild. */
  commands(guildId?: string): Record<string, unknown>[] {
    return (this.world.commands.get(guildId ?? 'global') ?? []).map((c) => commandJson(this.world, c));
  }

  /** Every 429 sent, requests per route, edits, messages, dispatches, interactions. */
  get counters(): CountersSnapshot {
    return this.world.counters.snapshot();
  }

  resetCounters(): void {
    this.world.counters.reset();
  }

  /** The op 4 payloads the bot sent over the gateway, in order. */
  get voiceOps(): VoiceOp[] {
    return [...this.#gateway.voiceOps];
  }

  // ── voice ──────────────────────────────────────────────────────────────────

  /** The voice server's self-signed certificate (PEM): a bot process trusts it to reach `wss://` voice. */
  get voiceCertificate(): string {
    return this.#voice.certificate.cert;
  }

  /** What the emulator heard in voice channels (the bot's greeting), oldest first. */
  voiceUtterances(): Utterance[] {
    return this.#voice.utterances.list();
  }

  /** The n-th utterance of {@link voiceUtterances} as a WAV file (48 kHz stereo), or null. */
  voiceUtteranceWav(n: number): Buffer | null {
    return this.#voice.utterances.wav(n);
  }

  /** Live voice sessions (the bot's voice connections). */
  get voiceSessions() {
    return this.#voice.sessions;
  }

  /** Emulated members' DAVE client errors by user id (none expected). */
  voiceClientErrors(): Record<string, string[]> {
    return this.#voice.memberErrors();
  }

  /** Whether a member's voice client supports DAVE (default true); a channel with one that does not downgrades. */
  setDaveSupport(userId: string, supported: boolean): void {
    this.#voice.setDaveSupport(userId, supported);
  }

  /** The voice server drops every voice socket; `resumable: false` forgets the sessions (resume → 4006). */
  dropVoice(opts: { resumable?: boolean } = {}): number {
    return this.#voice.drop(opts);
  }

  /** Live and resumable gateway sessions. */
  get gatewaySessions(): { id: string; seq: number; intents: number; shard: [number, number]; connected: boolean; invalidated: boolean }[] {
    return [...this.#gateway.sessions.values()].map((s) => ({ id: s.id, seq: s.seq, intents: s.intents, shard: s.shard, connected: s.socket !== null, invalidated: s.invalidated }));
  }

  // ── faults ─────────────────────────────────────────────────────────────────

  /**
   * Drops the gateway connection(s), with `shard` those of that shard id only. `resumable: false` invalidates the session first, so the
   * client's RESUME gets op 9 INVALID_SESSION (d: false) and it must IDENTIFY again. Without `code`
   * the TCP connection is cut (the client sees 1006); with `code` (e.g. 4000) it is closed cleanly.
   */
  dropGateway(opts: { resumable?: boolean; code?: number; shard?: number } = {}): number {
    return this.#gateway.drop(opts);
  }

  /**
   * No session starts left for `resetAfterMs`, as if other processes (a crash loop) had spent the
   * day's budget: `GET /gateway/bot` says `remaining: 0`, and an IDENTIFY now resets the token.
   */
  exhaustSessionStarts(resetAfterMs: number): void {
    this.#gateway.sessionStarts.exhaust(Date.now(), resetAfterMs);
  }

  /** Sends op 7 RECONNECT: the client should reconnect and resume. */
  requestReconnect(): void {
    this.#gateway.requestReconnect();
  }

  /** Sends op 1: the gateway asks for an immediate heartbeat. */
  requestHeartbeat(): void {
    this.#gateway.requestHeartbeat();
  }

  /** Sends op 9 INVALID_SESSION on live connections (`resumable` = its `d`). */
  invalidateSession(resumable = false): void {
    this.#gateway.sendInvalidSession(resumable);
  }

  /** Next `count` requests matching method + route answer 429/5xx, or are delayed or held (until the returned `release()`, or `clearFaults()`). */
  injectFault(spec: FaultSpec): () => void {
    const fault = this.#faults.add(spec);
    return () => this.#faults.release(fault);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  // ── wire log ───────────────────────────────────────────────────────────────

  /** Every REST call, gateway frame and interaction (the same stream as `GET /control/events`). */
  on(event: 'event', listener: (e: WireEvent) => void): this {
    this.#log.on(event, listener);
    return this;
  }

  off(event: 'event', listener: (e: WireEvent) => void): this {
    this.#log.off(event, listener);
    return this;
  }

  /** The most recent wire events (bounded). */
  get events(): readonly WireEvent[] {
    return this.#log.recent;
  }

  /** Resolves with the first wire event (from now on) matching `predicate`. */
  waitForEvent(predicate: (e: WireEvent) => boolean, timeoutMs = 10_000): Promise<WireEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#log.off('event', listener);
        reject(new Error(`no matching wire event within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (e: WireEvent) => {
        if (!predicate(e)) return;
        clearTimeout(timer);
        this.#log.off('event', listener);
        resolve(e);
      };
      this.#log.on('event', listener);
    });
  }

  /** Stops everything: gateway sockets, HTTP server. */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#faults.release();
    await this.#gateway.close();
    await this.#voice.close();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
