import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFixtureInput, startEmulator, trustVoiceCertificate, type Emulator, type EmulatorOptions } from '../sandbox/index.js';
import type { App } from '../app.js';
import { bootBot } from '../boot.js';
import { OffsetClock, type Clock } from '../shared/clock.js';
import type { Config, InteractionMode, LogLevel } from '../shared/config.js';
import { botPermissionBits } from '../shared/discord/permissions.js';
import { createLogger } from '../shared/logger.js';
import { ALL_SHARDS } from '../shared/shards.js';
import type { Sidecar } from '../gateway/sidecar.js';
import type { InteractionServer } from '../http/server.js';
import { commands } from '../interactions/commands/index.js';
import { registerCommands } from './registration.js';
import { addControlRoute } from '../sandbox/control.js';
import { localDate, localTimeOn } from '../shared/time/slots.js';
import { DateTime } from 'luxon';
import { setTimeout as sleep } from 'node:timers/promises';

/** The fixture guild with rollcall's role holding exactly what `npm run invite` asks for. */
export function installedWithInvitePermissions(): Pick<NonNullable<EmulatorOptions['fixture']>, 'roles'> {
  const input = defaultFixtureInput();
  return { roles: input.roles.map((r) => (r.key === 'rollcall' ? { ...r, permissions: botPermissionBits() } : r)) };
}

export interface SandboxOptions {
  /** Emulator port on 127.0.0.1 (0 = any free port). */
  port?: number;
  /** Bot webhook port on 127.0.0.1 (0 = any free port). */
  botPort?: number;
  /** SQLite file; default a temporary one removed on close. */
  databasePath?: string;
  /** PostgreSQL (or PGlite) instead of the SQLite file, as `DATABASE_URL` (the tests' PostgreSQL runs). */
  databaseUrl?: string;
  /**
   * The bot's clock. Default: the wall clock, shifted to `startAt` when given. A clock with
   * `advance(ms)` (OffsetClock, ManualClock) can be moved from the page (`POST /control/clock`).
   */
  clock?: Clock;
  /** Unix ms the sandbox's clock starts at (default: now); ignored when `clock` is given. */
  startAt?: number;
  /** Post today's message at once, whatever the hour (a real guild waits for its post time). Default: as `configure`. */
  postToday?: boolean;
  logLevel?: LogLevel;
  /** Where the bot's JSON log lines go; default stdout. */
  logDestination?: NodeJS.WritableStream;
  emulator?: EmulatorOptions;
  /** Pre-configure the fixture guild (channel #tonight) so a message appears at once. Default true. */
  configure?: boolean;
  /** How often the scheduler ticks (ms). */
  tickMs?: number;
  /**
   * How commands reach the bot (default `http`): the emulator POSTs them, signed, to the bot's
   * webhook; with `gateway` no interactions URL is set, so it sends INTERACTION_CREATE on the gateway.
   */
  interactions?: InteractionMode;
}

export interface Sandbox {
  emu: Emulator;
  clock: Clock;
  /** Where a person opens the sandbox: the emulator's page. */
  pageUrl: string;
  /** Runs the scheduler at the current clock and waits until the bot is idle (edits sent, events handled). */
  tick(): Promise<void>;
  app: App;
  server: InteractionServer;
  sidecar: Sidecar;
  botUrl: string;
  config: Config;
  close(): Promise<void>;
}

const noThrottle = { waitForIdentify: async () => {} };

/** A clock the page can move forward. */
type MovableClock = Clock & { advance(ms: number): void };

const isMovable = (clock: Clock): clock is MovableClock => typeof (clock as Partial<MovableClock>).advance === 'function';

/** At most this far in one move, so a typo in minutes does not skip a month of the bot's life. */
const MAX_MOVE_MS = 31 * 24 * 3_600_000;

/**
 * `GET /control/clock` and `POST /control/clock {to: 'next-post'|'next-hour'} | {advanceMs}` on the
 * emulator: the page moves the *bot's* clock, then the scheduler runs at the new time (daily post,
 * auto-add at the hour). Interaction signatures and rate limits keep using real time.
 */
function addClockRoutes(emu: Emulator, app: App, clock: MovableClock, tick: () => Promise<void>): void {
  const state = async () => {
    const now = clock.now();
    const settings = await app.guildConfig.get(emu.fixture.guildId);
    const zone = settings.timezone;
    let nextPostAt = localTimeOn(localDate(now, zone), settings.postTime, zone);
    if (nextPostAt <= now) nextPostAt = localTimeOn(DateTime.fromMillis(now, { zone }).plus({ days: 1 }).toISODate()!, settings.postTime, zone);
    const nextHourAt = DateTime.fromMillis(now, { zone }).startOf('hour').plus({ hours: 1 }).toMillis();
    return { now, wallNow: Date.now(), zone, postTime: settings.postTime, nextPostAt, nextHourAt, movable: true };
  };
  addControlRoute(emu, 'GET', /^\/clock$/, () => state());
  addControlRoute(emu, 'POST', /^\/clock$/, async (_emu, body) => {
    const current = await state();
    let ms: number;
    if (body.to === 'next-post') ms = current.nextPostAt - current.now;
    else if (body.to === 'next-hour') ms = current.nextHourAt - current.now;
    else if (typeof body.advanceMs === 'number') ms = body.advanceMs;
    else throw new Error("body must be {to: 'next-post'|'next-hour'} or {advanceMs: number}");
    if (!Number.isFinite(ms) || ms < 0) throw new Error('the clock only moves forward');
    if (ms > MAX_MOVE_MS) throw new Error('at most 31 days at a time');
    clock.advance(Math.ceil(ms));
    await tick();
    return state();
  });
}

/**
 * The whole bot against the local Discord emulator: a fresh key pair and token (the emulator's),
 * commands registered in the fixture guild, a temporary database unless told otherwise.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const clock = options.clock ?? new OffsetClock(options.startAt ?? Date.now());
  const emu = await startEmulator({
    port: options.port ?? 0,
    // Messages carry the bot's time, so tomorrow's post (after a clock jump) is dated tomorrow.
    now: () => clock.now(),
    ...options.emulator,
    fixture: { ...installedWithInvitePermissions(), ...options.emulator?.fixture },
  });
  // The bot's voice connection dials wss:// — this process trusts the emulator's voice server.
  trustVoiceCertificate(emu.voiceCertificate);
  const tmp = options.databasePath ? undefined : mkdtempSync(join(tmpdir(), 'rollcall-sandbox-'));
  const config: Config = {
    applicationId: emu.applicationId,
    publicKey: emu.publicKey,
    token: emu.token,
    apiUrl: emu.api,
    guildId: emu.fixture.guildId,
    databasePath: options.databasePath ?? join(tmp!, 'rollcall.sqlite'),
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    httpHost: '127.0.0.1',
    httpPort: options.botPort ?? 0,
    logLevel: options.logLevel ?? 'warn',
    interactions: options.interactions ?? 'http',
    shards: ALL_SHARDS,
  };
  const bot = await bootBot(config, {
    clock,
    logger: createLogger(config.logLevel, options.logDestination),
    identifyThrottler: noThrottle,
    ...(options.tickMs !== undefined ? { ticks: options.tickMs } : {}),
  });
  const { app, settle, tick } = bot;
  const server = bot.server!;
  const sidecar = bot.sidecar!;
  const botUrl = bot.url!;
  // Commands over the gateway need the session (READY, not only the socket): the page's first click may come at once.
  await sidecar.connected;
  for (const until = Date.now() + 10_000; !sidecar.gateway.connection.connected && Date.now() < until;) await sleep(20);
  // Like the developer portal: a URL for the webhook, none for the gateway.
  emu.setInteractionsUrl(config.interactions === 'http' ? `${botUrl}/interactions` : null);
  await registerCommands(
    app.discord,
    commands.map((c) => c.definition),
    emu.fixture.guildId,
    () => {},
  );
  if (options.configure !== false && !(await app.guildConfig.get(emu.fixture.guildId)).channelId) {
    await app.guildConfig.setChannel(emu.fixture.guildId, emu.fixture.channels.tonight);
  }
  if (isMovable(clock)) addClockRoutes(emu, app, clock, tick);
  if (options.postToday ?? options.configure !== false) {
    // A kept database (--db) may point at a channel the bot cannot post in: say so, keep running.
    await app.postRepair.postNow(emu.fixture.guildId).catch((error: unknown) => app.log.warn({ err: error }, "could not post today's message"));
    await settle();
  }
  return {
    emu,
    clock,
    pageUrl: `http://127.0.0.1:${emu.port}/`,
    tick,
    app,
    server,
    sidecar,
    botUrl,
    config,
    async close() {
      await bot.stop();
      await app.close();
      await emu.close();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    },
  };
}
