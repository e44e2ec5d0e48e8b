import type { Kysely } from 'kysely';
import type SQLite from 'better-sqlite3';
import { OffsetClock, systemClock, systemTimer, type Clock, type Timer } from './shared/clock.js';
import type { Config } from './shared/config.js';
import { openDatabase, type OpenDatabase } from './shared/db/database.js';
import { migrateToLatest } from './shared/db/migrate.js';
import type { Database } from './shared/db/schema.js';
import { createRest, DiscordApi } from './shared/discord/rest.js';
import { createLogger, type Logger } from './shared/logger.js';
import { GuildConfigService } from './shared/services/guild-config.js';
import { GuildCache } from './shared/services/guilds.js';
import { gatewayRole, Heartbeat } from './shared/services/heartbeat.js';
import type { MemberLabels } from './shared/services/member-labels.js';
import { MemberCache } from './shared/services/members.js';
import { RankEmojiService } from './shared/services/rank-emoji.js';
import { RankRefresh } from './shared/services/rank-refresh.js';
import { MemberTimezones } from './shared/services/timezones.js';
import { VoiceAutoAdd } from './shared/services/voice-auto-add.js';
import { VoiceSessions } from './shared/services/voice-sessions.js';
import { AvailabilityService } from './shared/services/availability.js';
import { DailyPostService } from './shared/services/daily-post.js';
import { DailyPostRepair } from './shared/services/daily-post-repair.js';
import { ReactionCleaner } from './shared/services/reaction-cleaner.js';
import { DailyPostReader, type PostChanged } from './shared/services/daily-post-row.js';
import { DailyPostView } from './shared/services/daily-post-view.js';
import { TurnoutForecast } from './shared/services/turnout-forecast.js';
import { ScheduleService } from './shared/services/schedules.js';
import { VoiceGreetingService } from './shared/services/voice-greeting.js';
import { GreetingSettingsStore } from './shared/services/voice-greeting-settings.js';
import { PrivacyService } from './shared/services/privacy.js';
import { RetentionService } from './shared/services/retention.js';
import { PostgresRateBudget, SqliteRateBudget } from './shared/discord/limiter.js';
import { PostgresEditLeases, SqliteEditLeases } from './shared/discord/edit-leases.js';
import { MessageEditor } from './shared/discord/message-editor.js';
import { Scheduler } from './shared/scheduler.js';
import { ownsGuild, type GuildOwner } from './shared/shards.js';
import { StatsService } from './stats/service.js';
import { PartyAlertService } from './shared/services/party-alerts.js';
import { PartySettingsStore } from './shared/services/party-settings.js';
import { ReminderSettingsStore } from './shared/services/reminder-settings.js';
import { ReminderService } from './shared/services/reminders.js';

export interface AppOptions {
  /** What day and hour it is for the community (tests and the sandbox move it). */
  clock?: Clock;
  /** Durations of the rate budget and the message editor (tests freeze it to count edits exactly). */
  timer?: Timer;
  logger?: Logger;
}

/** Everything a process of rollcall needs, built once. Entry points only call {@link createApp}. */
export interface App {
  config: Config;
  clock: Clock;
  log: Logger;
  db: Kysely<Database>;
  /** The open database of either engine: health, checkpoint, which engine. */
  database: OpenDatabase;
  /** The raw SQLite handle (tests, SQLite-only tooling); throws when the app runs on PostgreSQL. */
  readonly sqlite: SQLite.Database;
  discord: DiscordApi;
  guildConfig: GuildConfigService;
  /** Guild data (AFK channel, roles, channels) from the gateway, over the `guilds` table. */
  guilds: GuildCache;
  /** Members (name, roles, avatar): memory → SQLite → REST, misses coalesced. */
  members: MemberCache;
  /** How the daily message names members: rank emoji + display name (the member cache). */
  labels: MemberLabels;
  rankEmoji: RankEmojiService;
  voice: VoiceSessions;
  /** Marks members in voice as "seen" in today's message: on join, and each hour as a scheduler job. */
  voiceAutoAdd: VoiceAutoAdd;
  /** Re-fetches the members on today's message each hour, so rank emoji follow promotions. */
  rankRefresh: RankRefresh;
  /** This process's liveness row; the gateway starts it (see src/gateway/voice-lifecycle.ts). */
  heartbeat: Heartbeat;
  timezones: MemberTimezones;
  /** Runs time-based jobs (daily post, hour boundaries); ticks on a timer or when a test says so. */
  scheduler: Scheduler;
  /** The daily message: exactly one per guild per day. */
  posts: DailyPostService;
  /** What the daily message says (its text, the `/config show` line). */
  postView: DailyPostView;
  /** `/config post-now`, and a deleted message or removed clocks put right. */
  postRepair: DailyPostRepair;
  /** Who is coming when: reactions, schedules seeded into the day, seen in voice. */
  availability: AvailabilityService;
  /** Keeps the daily message's reactions to today's clocks (strays removed, members told why). */
  reactions: ReactionCleaner;
  schedules: ScheduleService;
  /** The spoken greeting in voice (opt-in per guild); the gateway process attaches its voice side. */
  greeting: VoiceGreetingService;
  /** The greeting's settings per guild (on/off, voice, speed, delay). */
  greetingSettings: GreetingSettingsStore;
  /** A member's data rights: show, export, erase, voice-tracking opt-out (`isTracked` for other features). */
  privacy: PrivacyService;
  /** How long history is kept per guild; its daily purge is a scheduler job. */
  retention: RetentionService;
  /** Coalesces edits of the daily message; shared lease and budget in SQLite. */
  editor: MessageEditor;
  /** Charts: aggregated and drawn in a render worker started on the first request. */
  stats: StatsService;
  /** `/config party`: the party-ready alert's size and role per guild. */
  partySettings: PartySettingsStore;
  /** Posts "🎉 21:00 has 5" once per hour slot and day, on the availability change signal. */
  partyAlerts: PartyAlertService;
  /** `/remind`: each member's reminder and party-mention choices. */
  reminderSettings: ReminderSettingsStore;
  /** DMs members N minutes before their first hour of the day; a scheduler job. */
  reminders: ReminderService;
  /** Stops jobs and pending edits, then closes the database; idempotent. */
  close(): Promise<void>;
}

/** A part of the composition root ({@link App}) a handler may ask for by name. */
export type Part = Exclude<keyof App, 'close' | 'db' | 'sqlite' | 'database'>;

/** What a handler gets: exactly the parts it names in `uses`, nothing else (storage is the services'). */
export type Deps<K extends Part> = Pick<App, K>;

/** The parts named in `uses`, taken from the app once (the router and the gateway do it when they start). */
export function depsFor<K extends Part>(app: App, uses: readonly K[]): Deps<K> {
  return Object.fromEntries(uses.map((key) => [key, app[key]])) as Deps<K>;
}

/** The composition root: opens and migrates the database, builds the REST façade and services. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const clock = options.clock ?? (config.clockStart === undefined ? systemClock : new OffsetClock(config.clockStart));
  const log = options.logger ?? createLogger(config.logLevel);
  if (!options.clock && config.clockStart !== undefined)
    log.warn({ clockStart: new Date(config.clockStart).toISOString() }, "CLOCK_START is set: the bot's clock is not the wall clock (rehearsals only)");
  const database = openDatabase(config.databaseUrl ?? config.databasePath);
  try {
    await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  const rest = createRest({ apiUrl: config.apiUrl, token: config.token });
  const timer = options.timer ?? systemTimer;
  const sqlite = database.engine === 'sqlite';
  const budget = sqlite ? new SqliteRateBudget(database.sqlite, timer) : new PostgresRateBudget(database.db, timer);
  const discord = new DiscordApi(rest, config.applicationId, budget);
  const db = database.db;
  const guildConfig = new GuildConfigService({ db, clock });
  const guilds = new GuildCache({
    db,
    clock,
    log,
    fetchRoles: async (guildId) => (await discord.getGuildRoles(guildId)).map((r) => ({ id: r.id, name: r.name, position: r.position })),
  });
  const rankEmoji = new RankEmojiService({
    db,
    clock,
    log,
    guilds,
    findGuildEmoji: (guildId, emojiId) => discord.getGuildEmoji(guildId, emojiId),
    botRoles: async (guildId) => (await discord.getGuildMember(guildId, config.applicationId))?.roles ?? null,
  });
  const members = new MemberCache({ db, clock, log, guilds, ranks: rankEmoji, fetchMember: (guildId, userId) => discord.getGuildMember(guildId, userId) });
  // Late-bound: a join calls auto-add, which marks "seen in voice" through the availability service built below.
  // A sharded gateway process keeps the voice stays and runs the jobs of its shards' guilds only.
  const owns: GuildOwner = (guildId) => ownsGuild(config.shards, guildId);
  const voice: VoiceSessions = new VoiceSessions({ db, clock, log, guilds, owns, onJoin: (guildId, userId, at): Promise<void> => voiceAutoAdd.onJoin(guildId, userId, at) });
  const voiceAutoAdd: VoiceAutoAdd = new VoiceAutoAdd({ voice, guildConfig, log, seen: () => availability });
  const scheduler = new Scheduler({ clock, log });
  // The view renders, the editor edits with it, the posts signal changes to the editor: no cycle.
  const postReader = new DailyPostReader(db);
  const forecast = new TurnoutForecast({ db, clock });
  const postView = new DailyPostView({ db, labels: members, posts: postReader, forecast });
  const editor: MessageEditor = new MessageEditor({
    leases: sqlite ? new SqliteEditLeases(database.sqlite) : new PostgresEditLeases(database.db),
    discord,
    render: (messageId) => postView.renderById(messageId),
    log,
    timer,
    // Late-bound: the repair is built on the posts, which are built on this editor.
    onGone: (_channelId, messageId): Promise<void> => postRepair.messageGone(messageId),
  });
  // Party alerts listen to the same signal as the editor: they count, they never write `availability`.
  const partySettings = new PartySettingsStore({ db, clock });
  const reminderSettings = new ReminderSettingsStore({ db, clock });
  const partyAlerts = new PartyAlertService({ db, discord, clock, log, posts: postReader, labels: members, settings: partySettings, mentions: reminderSettings });
  const changed: PostChanged = (post) => {
    if (post.message_id) editor.markDirty(post.channel_id, post.message_id);
    partyAlerts.changed(post);
  };
  // The one writer of `availability`; the posts seed each day through it, so it reads posts without them.
  const reactions = new ReactionCleaner({ db, discord, clock, log, posts: postReader });
  const availability = new AvailabilityService({ db, discord, clock, log, posts: postReader, changed, reactions });
  const posts = new DailyPostService({ db, discord, clock, log, guildConfig, availability, changed, view: postView });
  const postRepair: DailyPostRepair = new DailyPostRepair({ db, discord, clock, log, guildConfig, posts });
  const schedules = new ScheduleService({ db, clock, availability });
  const privacy = new PrivacyService({ db, clock, log, posts, availability, reactions });
  const retention = new RetentionService({ db, clock, log, guildConfig, availability });
  scheduler.add(posts.job(owns));
  scheduler.add(voiceAutoAdd);
  const rankRefresh = new RankRefresh({ db, clock, log, guildConfig, posts, members, owns, fetchMember: (guildId, userId) => discord.refetchGuildMember(guildId, userId) });
  scheduler.add(rankRefresh);
  // A member who turned voice tracking off is never greeted either.
  const greetingSettings = new GreetingSettingsStore({ db, clock });
  const greeting = new VoiceGreetingService({
    db,
    clock,
    log,
    voice,
    guilds,
    guildConfig,
    settings: greetingSettings,
    posts,
    members,
    vetoes: [async (guildId, userId) => !(await privacy.isTracked(guildId, userId))],
  });
  scheduler.add(greeting);
  scheduler.add(retention.job(owns));
  scheduler.add(partyAlerts.job(owns));
  const reminders = new ReminderService({ db, discord, clock, log, posts: postReader, labels: members, settings: reminderSettings, owns });
  scheduler.add(reminders);
  // An in-memory database cannot be opened by the render worker (an SQLite file reader): charts are
  // then drawn inline, as on PostgreSQL.
  const inline = !sqlite || config.databasePath === ':memory:';
  const stats = new StatsService({ databasePath: config.databasePath, clock, ...(inline ? { inline: db, ...(sqlite ? { inlineSqlite: sqlite } : {}) } : {}) });
  const app: App = {
    config,
    clock,
    log,
    db,
    database,
    get sqlite() {
      return database.sqlite;
    },
    discord,
    guildConfig,
    guilds,
    members,
    labels: members,
    rankEmoji,
    voice,
    voiceAutoAdd,
    heartbeat: new Heartbeat({ db, clock, log, process: gatewayRole(config.shards) }),
    timezones: new MemberTimezones({ db, clock, guildConfig, voice }),
    scheduler,
    posts,
    postView,
    postRepair,
    availability,
    reactions,
    schedules,
    greeting,
    greetingSettings,
    privacy,
    retention,
    editor,
    stats,
    rankRefresh,
    partySettings,
    partyAlerts,
    reminderSettings,
    reminders,
    close: async () => {
      await scheduler.stop();
      await partyAlerts.idle();
      await rankRefresh.stop();
      await greeting.stop();
      await editor.close();
      await stats.close();
      await database.close();
    },
  };
  return app;
}
