/**
 * The emulator: one HTTP server on 127.0.0.1 with REST (`/api/v10`), the gateway (`/gateway`), the
 * control API (`/control`) and attachment downloads — and the typed API tests drive it with.
 * It plays Discord and the guild's members; it imports nothing from the bot.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ComponentType, InteractionType, PermissionFlagsBits } from 'discord-api-types/v10';
import { DiscordError, unknownMessage } from './errors.js';
import { describeFixture, resolveFixtureInput, type Fixture, type FixtureInput } from './fixture.js';
import { GatewayServer, type VoiceOp } from './ws-gateway/server.js';
import { applicationFlagsFor } from './ws-gateway/intents.js';
import { InteractionClient, type InteractionResult } from './interactions/client.js';
import { checkSelectValues, usableCommand, usableComponent } from './interactions/lookup.js';
import { commandData, componentData, type CommandOptionInput } from './interactions/payloads.js';
import { InteractionSigner } from './interactions/signing.js';
import { InteractionStore } from './interactions/store.js';
import { has } from './permissions.js';
import { FaultInjector, type FaultSpec } from './rest/faults.js';
import { RateLimiter } from './rest/rate-limits.js';
import { buildRouter, type RestServerParts } from './rest/server.js';
import { createHttpServer } from './http.js';
import { commandJson } from './rest/routes/commands.js';
import { resolveEmoji } from './rest/routes/reactions.js';
import { handleControl } from './control.js';
import { addMember, removeMember, updateMember, type NewMember } from './state/members.js';
import { createMessage, deleteMessage, sweepNonces } from './state/messages.js';
import { addReaction, clearReactions, removeReaction } from './state/reactions.js';
import { viewMessage, type EmulatedMessage } from './state/view.js';
import { setVoiceState } from './state/voice.js';
import { voiceStateJson } from './state/serialize.js';
import { World, type MessageRecord } from './state/world.js';
import { WireLog, type CountersSnapshot, type WireEvent } from './wire.js';

export interface EmulatorOptions {
  /** Port on 127.0.0.1 (default 0: a free one). */
  port?: number;
  /** Where interactions are POSTed (the bot's `/interactions`); can be set later. */
  interactionsUrl?: string;
  /** Enforce rate limits and send their headers (default true). */
  rateLimits?: boolean;
  /** Multiplies every rate-limit window (default 1; 0.1 for fast tests of limit handling). */
  rateLimitWindowScale?: number;
  /** HELLO's heartbeat_interval (default 41250 ms, like Discord). */
  heartbeatIntervalMs?: number;
  /** Privileged intents enabled for the app (bits of GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT; default none). */
  privilegedIntents?: number;
  /** Replace parts of the default fixture. */
  fixture?: Partial<FixtureInput>;
  /** Print every wire event to stdout. */
  logRequests?: boolean;
  /** How long the bot has to answer an interaction over HTTP (default 3000 ms). */
  interactionTimeoutMs?: number;
  /** How long the callback endpoint accepts the initial response (default 3000 ms). */
  interactionCallbackWindowMs?: number;
  /** How long interaction tokens work for follow-ups and edits (default 15 min). */
  interactionTokenTtlMs?: number;
  /** How long a disconnected gateway session can be resumed (default 5 min). */
  sessionTtlMs?: number;
  /**
   * The emulator's calendar: message timestamps and snowflake ids (default `Date.now`). The sandbox
   * passes the bot's movable clock so "tomorrow's" message looks like tomorrow's. Rate limits,
   * interaction windows and tokens always use real time. Must never go backwards.
   */
  now?: () => number;
}

export interface RunOptions {
  /** Channel the interaction happens in (default: the fixture's #tonight, else the first text channel). */
  channelId?: string;
}

export interface VoiceFlags {
  selfMute?: boolean;
  selfDeaf?: boolean;
}

export class Emulator {
  readonly world: World;
  readonly fixture: Fixture;
  readonly publicKey: string;
  readonly #server: Server;
  readonly #log: WireLog;
  readonly #gateway: GatewayServer;
  readonly #interactions: InteractionClient;
  readonly #store: InteractionStore;
  readonly #limiter: RateLimiter;
  readonly #faults = new FaultInjector();
  readonly #signer: InteractionSigner;
  readonly #sweeper: NodeJS.Timeout;
  #privilegedIntents: number;
  #port = 0;

  private constructor(options: EmulatorOptions) {
    const input = resolveFixtureInput(options.fixture);
    this.world = new World(input, options.now);
    this.fixture = describeFixture(input);
    this.#privilegedIntents = options.privilegedIntents ?? 0;
    this.world.application.flags = applicationFlagsFor(this.#privilegedIntents);
    this.#log = new WireLog(2000, options.logRequests ?? false);
    const signer = new InteractionSigner();
    this.#signer = signer;
    this.publicKey = signer.publicKey;
    this.#store = new InteractionStore(this.world, {
      callbackWindowMs: options.interactionCallbackWindowMs ?? 3000,
      tokenTtlMs: options.interactionTokenTtlMs ?? 15 * 60_000,
    });
    this.#interactions = new InteractionClient(this.world, this.#store, signer, this.#log, options.interactionTimeoutMs ?? 3000);
    this.#interactions.url = options.interactionsUrl ?? null;
    this.#limiter = new RateLimiter(options.rateLimits ?? true, options.rateLimitWindowScale ?? 1);
    this.#gateway = new GatewayServer({
      world: this.world,
      log: this.#log,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      privilegedIntents: () => this.#privilegedIntents,
      sessionTtlMs: options.sessionTtlMs ?? 5 * 60_000,
      url: () => this.gatewayUrl,
      voiceEndpoint: () => `127.0.0.1:${this.#port}/voice`,
    });
    const rest: RestServerParts = {
      deps: {
        world: this.world,
        interactions: this.#store,
        gatewayUrl: () => this.gatewayUrl,
        privilegedIntents: () => this.#privilegedIntents,
        privilegedIntentFlags: () => this.world.application.flags,
        interactionsUrl: () => this.#interactions.url,
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
      control: (req, res, url) => handleControl(this, this.#log, req, res, url),
    });
    this.#sweeper = setInterval(() => sweepNonces(this.world), 60_000).unref();
  }

  /** Starts an emulator and resolves once it listens. */
  static async start(options: EmulatorOptions = {}): Promise<Emulator> {
    const emu = new Emulator(options);
    try {
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
    return this.#interactions.url;
  }

  /** Where interactions go from now on (the bot's `/interactions` URL). */
  setInteractionsUrl(url: string | null): void {
    this.#interactions.url = url;
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

  // ── members acting ─────────────────────────────────────────────────────────

  #visibleMessage(channelId: string, messageId: string, userId: string): MessageRecord {
    const message = this.world.message(channelId, messageId);
    if (message.ephemeralFor && message.ephemeralFor !== userId) throw unknownMessage();
    return message;
  }

  /**
   * A member adds a reaction (`'🕘'` or `'name:id'`): stored, and MESSAGE_REACTION_ADD dispatched
   * with `member`. Reacting twice does nothing, like Discord.
   * @see https://discord.com/developers/docs/topics/gateway-events#message-reaction-add
   */
  async react(userId: string, channelId: string, messageId: string, emoji: string): Promise<void> {
    const message = this.#visibleMessage(channelId, messageId, userId);
    if (message.ephemeralFor) throw new DiscordError(400, 50083, 'Cannot react to an ephemeral message');
    addReaction(this.world, message, userId, resolveEmoji(this.world, message, emoji, true));
  }

  /**
   * A member removes their reaction: MESSAGE_REACTION_REMOVE, without `member`.
   * @see https://discord.com/developers/docs/topics/gateway-events#message-reaction-remove
   */
  async unreact(userId: string, channelId: string, messageId: string, emoji: string): Promise<void> {
    const message = this.#visibleMessage(channelId, messageId, userId);
    removeReaction(this.world, message, userId, resolveEmoji(this.world, message, emoji, true));
  }

  /** A member posts a message (MESSAGE_CREATE only reaches sessions with GUILD_MESSAGES). */
  async say(userId: string, channelId: string, content: string): Promise<EmulatedMessage> {
    const perms = this.world.permissionsIn(channelId, userId);
    if (!has(perms, PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages)) throw new DiscordError(403, 50013, 'Missing Permissions');
    const { message } = createMessage(this.world, { channelId, authorId: userId, input: { content } });
    return viewMessage(this.world, message, userId);
  }

  /**
   * A moderator deletes a message (MESSAGE_DELETE, which needs GUILD_MESSAGES — a bot without it
   * finds out on its next edit: 10008 Unknown Message).
   */
  async deleteMessage(channelId: string, messageId: string): Promise<void> {
    deleteMessage(this.world, this.world.message(channelId, messageId));
  }

  /** A moderator removes all reactions, or all of one emoji (MESSAGE_REACTION_REMOVE_ALL / _EMOJI). */
  async clearReactions(channelId: string, messageId: string, emoji?: string): Promise<void> {
    const message = this.world.message(channelId, messageId);
    clearReactions(this.world, message, emoji === undefined ? undefined : resolveEmoji(this.world, message, emoji, true));
  }

  /** A user joins the guild (GUILD_MEMBER_ADD, GUILD_MEMBERS intent only). Returns the new member's id. */
  async addMember(member: NewMember, guildId = this.fixture.guildId): Promise<string> {
    return addMember(this.world, guildId, member);
  }

  /** Changes a member's nick/roles (role ids) — GUILD_MEMBER_UPDATE, GUILD_MEMBERS intent only. */
  async updateMember(userId: string, change: { nick?: string | null; roles?: string[] }, guildId = this.fixture.guildId): Promise<void> {
    updateMember(this.world, guildId, userId, change);
  }

  /** A member leaves the guild (leaving voice first). */
  async removeMember(userId: string, guildId = this.fixture.guildId): Promise<void> {
    removeMember(this.world, guildId, userId);
  }

  #guildOfVoice(userId: string, guildId?: string): string {
    if (guildId) return guildId;
    for (const g of this.world.guilds.values()) if (g.voice.has(userId)) return g.id;
    return this.fixture.guildId;
  }

  /**
   * A member joins (or moves to) a voice channel: VOICE_STATE_UPDATE with the member.
   * @see https://discord.com/developers/docs/topics/gateway-events#voice-state-update
   */
  async joinVoice(userId: string, channelId: string, flags: VoiceFlags = {}): Promise<void> {
    const guildId = this.world.channel(channelId).guildId;
    if (!guildId) throw new DiscordError(400, 50024, 'Cannot execute action on this channel type');
    setVoiceState(this.world, guildId, userId, { channelId, ...flags });
  }

  /** A member leaves voice (VOICE_STATE_UPDATE with `channel_id: null`). */
  async leaveVoice(userId: string, guildId?: string): Promise<void> {
    setVoiceState(this.world, this.#guildOfVoice(userId, guildId), userId, { channelId: null });
  }

  /** A member mutes/deafens themselves (deafening also mutes, as in the Discord client). */
  async setVoiceFlags(userId: string, flags: VoiceFlags, guildId?: string): Promise<void> {
    const g = this.#guildOfVoice(userId, guildId);
    if (!this.world.guild(g).voice.has(userId)) throw new Error(`member ${userId} is not in voice`);
    const change = { ...flags };
    if (flags.selfDeaf === true && flags.selfMute === undefined) change.selfMute = true;
    setVoiceState(this.world, g, userId, change);
  }

  /**
   * Every member's voice stays in a guild so far (join → move/leave; `to` null while still in),
   * milliseconds on the emulator's calendar: the ground truth a bot's voice time is checked against.
   */
  voiceHistory(guildId = this.fixture.guildId): { userId: string; channelId: string; from: number; to: number | null }[] {
    return this.world.voiceStays.filter((s) => s.guildId === guildId).map(({ userId, channelId, from, to }) => ({ userId, channelId, from, to }));
  }

  /** Current voice states of a guild (default: the fixture guild), as Discord's voice state objects. */
  voiceStates(guildId = this.fixture.guildId) {
    const guild = this.world.guild(guildId);
    return [...guild.voice.values()].map((v) => voiceStateJson(this.world, guildId, v, { withGuild: true, withMember: false }));
  }

  #defaultChannel(options: RunOptions): string {
    return options.channelId ?? this.fixture.channels.tonight ?? [...this.world.channels.values()].find((c) => c.type === 0)?.id ?? '';
  }

  /**
   * A member runs a slash command. `options` are nested exactly as Discord nests them
   * (`[{ type: 1, name: 'show', options: [] }]`); `type` may be omitted, it is taken from the
   * registered definition. The command must be registered.
   * @see https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-application-command-data-structure
   */
  async runCommand(userId: string, name: string, options: CommandOptionInput[] = [], run: RunOptions = {}): Promise<InteractionResult> {
    const channelId = this.#defaultChannel(run);
    const command = usableCommand(this.world, userId, name, channelId);
    return this.#interactions.send({
      type: InteractionType.ApplicationCommand,
      channelId,
      userId,
      name,
      commandType: 1,
      data: commandData(this.world, command, name, options, channelId, userId),
    });
  }

  /**
   * A member types into an autocomplete option (mark it `focused: true`); resolves with the choices
   * the bot returned.
   * @see https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-autocomplete
   */
  async autocomplete(userId: string, name: string, options: CommandOptionInput[], run: RunOptions = {}): Promise<{ name: string; value: string | number }[]> {
    const channelId = this.#defaultChannel(run);
    const command = usableCommand(this.world, userId, name, channelId);
    const hasFocus = (list: CommandOptionInput[]): boolean => list.some((o) => o.focused || hasFocus(o.options ?? []));
    if (!hasFocus(options)) throw new Error('autocomplete needs one option with focused: true');
    const result = await this.#interactions.send({
      type: InteractionType.ApplicationCommandAutocomplete,
      channelId,
      userId,
      name,
      commandType: 1,
      data: commandData(this.world, command, name, options, channelId, userId),
    });
    if (result.error) throw new Error(`autocomplete failed: ${result.error}`);
    return ((result.response as { data?: { choices?: { name: string; value: string | number }[] } }).data?.choices ?? []);
  }

  /**
   * A member picks values in a select menu on a message.
   * @see https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-message-component-data-structure
   */
  async selectMenu(userId: string, messageId: string, customId: string, values: string[]): Promise<InteractionResult> {
    const { message, component } = usableComponent(this.world, userId, messageId, customId, 'select');
    checkSelectValues(component, customId, values);
    const { data, message: messageJson } = componentData(this.world, message.id, customId, component.type, values, userId);
    return this.#interactions.send({ type: InteractionType.MessageComponent, channelId: message.channelId, userId, data, message: messageJson, customId, componentMessageId: message.id });
  }

  /** A member presses a button on a message. */
  async pressButton(userId: string, messageId: string, customId: string): Promise<InteractionResult> {
    const { message } = usableComponent(this.world, userId, messageId, customId, 'button');
    const { data, message: messageJson } = componentData(this.world, message.id, customId, ComponentType.Button, undefined, userId);
    return this.#interactions.send({ type: InteractionType.MessageComponent, channelId: message.channelId, userId, data, message: messageJson, customId, componentMessageId: message.id });
  }

  /**
   * A member submits a modal the bot showed (text inputs by custom_id).
   * @see https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-modal-submit-data-structure
   */
  async submitModal(userId: string, customId: string, fields: Record<string, string>, run: RunOptions & { messageId?: string } = {}): Promise<InteractionResult> {
    const channelId = run.messageId ? this.world.findMessage(run.messageId).channelId : this.#defaultChannel(run);
    const data = {
      custom_id: customId,
      components: Object.entries(fields).map(([id, value]) => ({ type: 1, components: [{ type: ComponentType.TextInput, custom_id: id, value }] })),
    };
    return this.#interactions.send({
      type: InteractionType.ModalSubmit,
      channelId,
      userId,
      data,
      customId,
      ...(run.messageId ? { componentMessageId: run.messageId, message: viewMessage(this.world, this.world.findMessage(run.messageId)) } : {}),
    });
  }

  /** Checks the interactions endpoint like the Developer Portal (signed PING → PONG, bad signature → 401). */
  verifyInteractionsEndpoint() {
    return this.#interactions.verifyEndpoint();
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

  /** Live and resumable gateway sessions. */
  get gatewaySessions(): { id: string; seq: number; intents: number; connected: boolean; invalidated: boolean }[] {
    return [...this.#gateway.sessions.values()].map((s) => ({ id: s.id, seq: s.seq, intents: s.intents, connected: s.socket !== null, invalidated: s.invalidated }));
  }

  // ── faults ─────────────────────────────────────────────────────────────────

  /**
   * Drops the gateway connection(s). `resumable: false` invalidates the session first, so the
   * client's RESUME gets op 9 INVALID_SESSION (d: false) and it must IDENTIFY again. Without `code`
   * the TCP connection is cut (the client sees 1006); with `code` (e.g. 4000) it is closed cleanly.
   */
  dropGateway(opts: { resumable?: boolean; code?: number } = {}): number {
    return this.#gateway.drop(opts);
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

  /** Next `count` requests matching method + route answer 429/5xx or are delayed. */
  injectFault(spec: FaultSpec): void {
    this.#faults.add(spec);
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
    await this.#gateway.close();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

