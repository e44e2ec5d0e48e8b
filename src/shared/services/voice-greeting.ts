import { DateTime } from 'luxon';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import type { Job } from '../scheduler.js';
import { localDate, slotEnd } from '../time/slots.js';
import { slotsOfPost, type DailyPostReader } from './daily-post-row.js';
import type { GuildConfigService } from './guild-config.js';
import type { GuildCache } from './guilds.js';
import type { MemberInfo } from './members.js';
import type { GreetingSettings, GreetingSettingsStore } from './voice-greeting-settings.js';
import type { VoiceSessions } from './voice-sessions.js';

/** Who is greeted and who else is coming when: the facts a sentence is made of. */
export interface GreetingFacts {
  /** Display name of the member greeted; null when unknown. */
  name: string | null;
  /** The zone of the daily message: times are spoken in it. */
  zone: string;
  /** Guild-local date (YYYY-MM-DD) of the daily message the others are from. */
  date: string;
  /** Now, unix ms. */
  at: number;
  /** Everyone else, each once at their earliest slot not yet over, in slot order. */
  comers: { name: string | null; slotStart: number }[];
}

/** One greeting to say: where, to whom, what about, in which voice. */
export interface GreetingRequest {
  guildId: string;
  channelId: string;
  userId: string;
  facts: GreetingFacts;
  voice: string | null;
  speed: number | null;
}

/** How far a greeting got: joining (op 4 sent) → connecting (voice server known) → ready → speaking. */
export type GreetingStage = 'joining' | 'connecting' | 'ready' | 'speaking';

/**
 * The voice side, given by the gateway process (src/voice): joins the channel, says the greeting and
 * leaves. It must leave (op 4 with no channel) before settling, whatever happened, and leave at once
 * when `signal` aborts. Rejects with the reason a greeting failed.
 */
export interface GreetingSpeaker {
  speak(request: GreetingRequest, signal: AbortSignal, reached: (stage: GreetingStage) => void): Promise<void>;
}

/** What became of one greeting (kept in memory, newest last, for logs and tests). */
export interface GreetingOutcome {
  guildId: string;
  channelId: string;
  userId: string;
  at: number;
  reached: GreetingStage;
  result: 'spoken' | 'cancelled' | 'failed';
  error?: string;
}

/** Schedules `fn` after `ms` real milliseconds; returns a cancel. Injected so tests can hold time still. */
export type SetTimer = (fn: () => void, ms: number) => () => void;

const realTimer: SetTimer = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/** A reason to leave a member alone, whatever the guild setting (a future privacy opt-out plugs in here). */
export type GreetingVeto = (guildId: string, userId: string) => Promise<boolean>;

export interface VoiceGreetingOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  voice: VoiceSessions;
  guilds: GuildCache;
  guildConfig: GuildConfigService;
  settings: GreetingSettingsStore;
  posts: Pick<DailyPostReader, 'current'>;
  members: { get(guildId: string, userId: string): Promise<MemberInfo | null> };
  vetoes?: GreetingVeto[];
  setTimer?: SetTimer;
  /** A greeting is aborted after this long, whatever it is waiting for. Default 60 s. */
  maxGreetingMs?: number;
}

interface Pending {
  guildId: string;
  channelId: string;
  userId: string;
  dueAt: number;
  cancelTimer: () => void;
}

interface Active {
  channelId: string;
  userId: string;
  controller: AbortController;
  done: Promise<void>;
}

/**
 * The voice greeting (opt-in per guild): when a member is the first in a voice channel and is still
 * alone after the guild's delay, the bot joins, says who else is coming when, and leaves — when the
 * sentence ends, or at once when anyone else joins. At most once per member per guild-local hour,
 * never in the AFK channel, never when nobody else is coming (unless the guild wants it said).
 *
 * The delay is checked against the injected clock: a real timer wakes the check at the due time,
 * and as a scheduler {@link Job} every tick checks too, so a test moves the clock and ticks. The
 * voice I/O is a {@link GreetingSpeaker} attached by the gateway process; without one (the HTTP
 * process) this only reads and writes settings. Nothing here throws into the gateway's handlers.
 */
export class VoiceGreetingService implements Job {
  readonly name = 'voice-greeting';
  /** The last 20 outcomes, newest last. */
  readonly outcomes: GreetingOutcome[] = [];
  private speaker: GreetingSpeaker | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly active = new Map<string, Active>();
  private readonly starting = new Set<string>();
  private readonly setTimer: SetTimer;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly deps: VoiceGreetingOptions) {
    this.setTimer = deps.setTimer ?? realTimer;
  }

  /** The gateway process gives its voice side; returns a detach. */
  attach(speaker: GreetingSpeaker): () => void {
    this.speaker = speaker;
    return () => {
      if (this.speaker === speaker) this.speaker = undefined;
    };
  }

  /** Whether a voice side is attached (the gateway process, once speech is known to work). */
  get attached(): boolean {
    return this.speaker !== undefined;
  }

  /** `/config voice-greeting on|off`: stored, and when off, any greeting pending or under way in the guild is called off. */
  async setEnabled(guildId: string, enabled: boolean, extra: { voice?: string; speed?: number; sayNobody?: boolean } = {}): Promise<GreetingSettings> {
    const settings = await this.deps.settings.set(guildId, { enabled, ...extra });
    if (!enabled) this.cancelGuild(guildId);
    return settings;
  }

  /**
   * Whether this member may be greeted now: the guild has it on, the member is no bot, was not
   * greeted in this guild-local hour, and no veto (e.g. a privacy opt-out) says no. Channel rules
   * (alone, not AFK) are checked by the caller.
   */
  async shouldGreet(guildId: string, userId: string, at: number): Promise<boolean> {
    if (!(await this.deps.settings.get(guildId)).enabled) return false;
    const member = await this.deps.members.get(guildId, userId);
    if (member?.bot) return false;
    const greeted = await this.deps.db
      .selectFrom('voice_greetings')
      .select('user_id')
      .where('guild_id', '=', guildId)
      .where('user_id', '=', userId)
      .where('hour_key', '=', await this.hourKey(guildId, at))
      .executeTakeFirst();
    if (greeted) return false;
    for (const veto of this.deps.vetoes ?? []) if (await veto(guildId, userId)) return false;
    return true;
  }

  /**
   * Who else is coming, from the guild's current daily message: members (not `userId`) who declared
   * a slot (reaction or schedule) or were seen in voice in one, each at their earliest slot that is
   * not over yet. Null when nobody is and the guild does not want "nobody else" said.
   */
  async facts(guildId: string, userId: string, at: number): Promise<GreetingFacts | null> {
    const [settings, post, config] = await Promise.all([this.deps.settings.get(guildId), this.deps.posts.current(guildId), this.deps.guildConfig.get(guildId)]);
    const zone = post?.timezone ?? config.timezone;
    const comers: GreetingFacts['comers'] = [];
    if (post) {
      const slots = slotsOfPost(post).filter((s) => slotEnd(s, zone) * 1000 > at);
      const order = new Map(slots.map((s, i) => [s.hour, i]));
      const rows = await this.deps.db
        .selectFrom('availability')
        .select(['user_id', 'hour'])
        .where('guild_id', '=', guildId)
        .where('date', '=', post.date)
        .where('user_id', '!=', userId)
        .where((eb) => eb.or([eb('declared', 'in', ['schedule', 'reaction']), eb('seen_in_voice', '=', 1)]))
        .execute();
      const earliest = new Map<string, number>();
      for (const row of rows) {
        const index = order.get(row.hour);
        if (index === undefined) continue;
        earliest.set(row.user_id, Math.min(index, earliest.get(row.user_id) ?? Infinity));
      }
      const people = await Promise.all([...earliest].map(async ([id, index]) => ({ member: await this.deps.members.get(guildId, id), index })));
      for (const { member, index } of people.sort((a, b) => a.index - b.index)) {
        if (!member || member.bot) continue;
        comers.push({ name: member.displayName, slotStart: slots[index]!.unix * 1000 });
      }
    }
    if (comers.length === 0 && !settings.sayNobody) return null;
    const me = await this.deps.members.get(guildId, userId);
    return { name: me?.displayName ?? null, zone, date: post?.date ?? localDate(at, zone), at, comers };
  }

  /**
   * The gateway's VOICE_STATE_UPDATE hook, after the stay was stored. A join alone in a channel
   * starts the delay; anyone else arriving cancels a waiting greeting or ends one under way.
   * Never throws: a failure is logged and the event goes on.
   */
  onVoiceState(guildId: string, state: { userId: string; channelId: string | null; bot: boolean }, at: number): Promise<void> {
    const next = this.queue.then(() => this.decide(guildId, state, at)).catch((error: unknown) => this.deps.log.error({ err: error, guildId }, 'voice greeting: could not handle a voice state'));
    this.queue = next;
    return next;
  }

  /** The scheduler job: greets those whose delay is over (late ticks are harmless). */
  async run(now: number): Promise<void> {
    const due = [...this.pending.values()].filter((p) => p.dueAt <= now);
    for (const p of due) {
      // Another run (the timer and a tick can meet) may have taken it while this one awaited.
      if (this.pending.get(pendingKey(p.guildId, p.channelId)) !== p) continue;
      this.dropPending(p);
      try {
        await this.greetIfStillAlone(p, now);
      } catch (error) {
        this.deps.log.error({ err: error, guildId: p.guildId }, 'voice greeting: could not start');
      }
    }
  }

  /** Resolves when no decision is queued and no greeting is under way (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queue;
    await Promise.all([...this.active.values()].map((a) => a.done));
  }

  /** Forgets waiting greetings and ends those under way (they leave the channel); idempotent. */
  async stop(): Promise<void> {
    for (const p of [...this.pending.values()]) this.dropPending(p);
    for (const a of this.active.values()) a.controller.abort(new Error('the bot is stopping'));
    await this.idle();
  }

  private async decide(guildId: string, state: { userId: string; channelId: string | null; bot: boolean }, at: number): Promise<void> {
    if (!this.speaker || state.bot) return;
    const active = this.active.get(guildId);
    if (active) {
      if (state.userId !== active.userId && state.channelId === active.channelId) active.controller.abort(new Error('someone else joined'));
      if (state.userId === active.userId && state.channelId !== active.channelId) active.controller.abort(new Error('the member left'));
    }
    for (const p of this.pending.values()) {
      if (p.guildId !== guildId) continue;
      const otherArrived = p.userId !== state.userId && p.channelId === state.channelId;
      const memberLeft = p.userId === state.userId && p.channelId !== state.channelId;
      if (otherArrived || memberLeft) this.dropPending(p);
    }
    if (state.channelId === null) return;
    if (this.pending.has(pendingKey(guildId, state.channelId))) return;
    const { enabled, delaySeconds } = await this.deps.settings.get(guildId);
    if (!enabled) return;
    // Only a join starts a greeting, not a mute or deafen inside the stay.
    const stay = await this.deps.voice.currentStay(guildId, state.userId);
    if (!stay || stay.channelId !== state.channelId || stay.startedAt !== at || stay.afk) return;
    if (!(await this.aloneIn(guildId, state.channelId, state.userId))) return;
    if (!(await this.shouldGreet(guildId, state.userId, at))) return;
    const p: Pending = { guildId, channelId: state.channelId, userId: state.userId, dueAt: at + delaySeconds * 1000, cancelTimer: () => undefined };
    p.cancelTimer = this.setTimer(() => void this.run(this.deps.clock.now()), delaySeconds * 1000);
    this.pending.set(pendingKey(guildId, p.channelId), p);
  }

  private async greetIfStillAlone(p: Pending, now: number): Promise<void> {
    const speaker = this.speaker;
    // One greeting per guild at a time (the bot has one voice state per guild), reserved before any await.
    if (!speaker || this.active.has(p.guildId) || this.starting.has(p.guildId)) return;
    this.starting.add(p.guildId);
    try {
      if (!(await this.aloneIn(p.guildId, p.channelId, p.userId))) return;
      if ((await this.deps.guilds.afkChannelId(p.guildId)) === p.channelId) return;
      if (!(await this.shouldGreet(p.guildId, p.userId, now))) return;
      const facts = await this.facts(p.guildId, p.userId, now);
      if (!facts) return;
      const settings = await this.deps.settings.get(p.guildId);
      // Recorded before speaking: a greeting that fails is not retried within the hour.
      await this.recordGreeted(p.guildId, p.userId, now);
      this.start(speaker, { guildId: p.guildId, channelId: p.channelId, userId: p.userId, facts, voice: settings.voice, speed: settings.speed });
    } finally {
      this.starting.delete(p.guildId);
    }
  }

  private start(speaker: GreetingSpeaker, request: GreetingRequest): void {
    const controller = new AbortController();
    const cancelBound = this.setTimer(() => controller.abort(new Error(`greeting still running after ${this.deps.maxGreetingMs ?? 60_000} ms`)), this.deps.maxGreetingMs ?? 60_000);
    let reached: GreetingStage = 'joining';
    const outcome = (result: GreetingOutcome['result'], error?: string) =>
      this.remember({ guildId: request.guildId, channelId: request.channelId, userId: request.userId, at: request.facts.at, reached, result, ...(error ? { error } : {}) });
    const done = Promise.resolve()
      .then(() => speaker.speak(request, controller.signal, (stage) => (reached = stage)))
      .then(
        () => (controller.signal.aborted ? outcome('cancelled', reasonOf(controller.signal.reason)) : outcome('spoken')),
        (error: unknown) => {
          if (controller.signal.aborted) return outcome('cancelled', reasonOf(controller.signal.reason));
          const message = reasonOf(error);
          outcome('failed', message);
          this.deps.log.warn({ guildId: request.guildId, channelId: request.channelId, reached }, `voice greeting failed and the bot left the channel: ${message}`);
        },
      )
      .finally(() => {
        cancelBound();
        this.active.delete(request.guildId);
      });
    this.active.set(request.guildId, { channelId: request.channelId, userId: request.userId, controller, done });
  }

  private async aloneIn(guildId: string, channelId: string, userId: string): Promise<boolean> {
    const present = await this.deps.voice.inChannel(guildId, channelId);
    return present.length === 1 && present[0] === userId;
  }

  private async hourKey(guildId: string, at: number): Promise<string> {
    const { timezone } = await this.deps.guildConfig.get(guildId);
    return DateTime.fromMillis(at, { zone: timezone }).toFormat("yyyy-MM-dd'T'HH");
  }

  private async recordGreeted(guildId: string, userId: string, at: number): Promise<void> {
    const hourKey = await this.hourKey(guildId, at);
    await this.deps.db
      .insertInto('voice_greetings')
      .values({ guild_id: guildId, user_id: userId, hour_key: hourKey, greeted_at: at })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await this.deps.db
      .deleteFrom('voice_greetings')
      .where('greeted_at', '<', at - 2 * 86_400_000)
      .execute();
  }

  private remember(outcome: GreetingOutcome): void {
    this.outcomes.push(outcome);
    if (this.outcomes.length > 20) this.outcomes.shift();
  }

  private dropPending(p: Pending): void {
    p.cancelTimer();
    const key = pendingKey(p.guildId, p.channelId);
    if (this.pending.get(key) === p) this.pending.delete(key);
  }

  private cancelGuild(guildId: string): void {
    for (const p of [...this.pending.values()]) if (p.guildId === guildId) this.dropPending(p);
    this.active.get(guildId)?.controller.abort(new Error('the greeting was turned off'));
  }
}

const pendingKey = (guildId: string, channelId: string) => `${guildId}:${channelId}`;

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
