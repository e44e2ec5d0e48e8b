import { startEmulator, trustVoiceCertificate, type Emulator, type EmulatorOptions } from '../../src/sandbox/index.js';
import { installedWithInvitePermissions } from '../../src/cli/start-sandbox.js';

export { installedWithInvitePermissions };
import { ManualClock, type Timer } from '../../src/shared/clock.js';
import type { App } from '../../src/app.js';
import { bootBot, type Bot } from '../../src/boot.js';
import type { GatewayShard } from '../../src/gateway/shard.js';
import type { InteractionServer } from '../../src/http/server.js';
import { commands } from '../../src/interactions/commands/index.js';
import { registerCommands } from '../../src/cli/registration.js';
import type { InteractionMode } from '../../src/shared/config.js';
import type { IntakeOptions } from '../../src/interactions/intake.js';
import type { Logger } from '../../src/shared/logger.js';
import { tempDir, testConfig, testLogger } from './app.js';

/** Both ways interactions reach the bot: tests of what commands do run once per mode (`describe.each(MODES)`). */
export const MODES: readonly InteractionMode[] = ['http', 'gateway'];

/** Polls until `check` stops throwing (or returns true), like a person waiting for the screen to update. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 8_000): Promise<T> {
  const started = Date.now();
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== false) return result;
      lastError = new Error('condition still false');
    } catch (error) {
      lastError = error;
    }
    if (Date.now() - started > timeoutMs) throw lastError;
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface World {
  emu: Emulator;
  app: App;
  clock: ManualClock;
  /** How interactions reach the bot in this world: signed POSTs to its webhook, or INTERACTION_CREATE. */
  mode: InteractionMode;
  server: InteractionServer;
  gateway: GatewayShard;
  dbPath: string;
  /** Runs the scheduler once at the current clock, then waits for edits and dispatches. */
  tick(): Promise<void>;
  /** Waits until the gateway queue and the message editor are idle. */
  settle(): Promise<void>;
  /** Stops the bot as `kill -9` would: no clean shutdown of stays or edits. */
  crash(): Promise<void>;
  /** Starts a new bot process on the same database file (after `crash` or `stopBot`). */
  restart(): Promise<void>;
  stopBot(): Promise<void>;
  close(): Promise<void>;
}

const noThrottle = { waitForIdentify: async () => {} };

export interface WorldOptions {
  now: number | string;
  emulator?: EmulatorOptions;
  dbPath?: string;
  /** The bot's INTERACTIONS (default `http`). */
  interactions?: InteractionMode;
  /** Handlers served (and registered) instead of rollcall's own, and the router's deadline. */
  intake?: IntakeOptions;
  logger?: Logger;
  /** The budget's and the editor's timer (default real time). */
  timer?: Timer;
}

/**
 * The whole bot — HTTP server, gateway shard, services, a real SQLite file — against the Discord
 * emulator on 127.0.0.1, with a clock the test moves. Commands are registered in the fixture guild.
 * `interactions` (default `http`) is the bot's INTERACTIONS; with `gateway` the emulator has no
 * interactions URL and sends INTERACTION_CREATE, as Discord does.
 */
export async function startWorld(options: WorldOptions = { now: Date.now() }): Promise<World> {
  const emu = await startEmulator({
    heartbeatIntervalMs: 1_000,
    ...options.emulator,
    fixture: { ...installedWithInvitePermissions(), ...options.emulator?.fixture },
  });
  // The bot's voice connection dials wss:// — this process trusts the emulator's voice server.
  trustVoiceCertificate(emu.voiceCertificate);
  const tmp = options.dbPath ? undefined : tempDir();
  const dbPath = options.dbPath ?? `${tmp!.dir}/rollcall.sqlite`;
  const clock = new ManualClock(typeof options.now === 'string' ? Date.parse(options.now) : options.now);
  const config = testConfig({
    applicationId: emu.applicationId,
    publicKey: emu.publicKey,
    token: emu.token,
    apiUrl: emu.api,
    databasePath: dbPath,
    interactions: options.interactions ?? 'http',
  });

  const world = { emu, clock, dbPath, mode: config.interactions } as World;
  let alive = false;
  let bot: Bot;
  const boot = async () => {
    // As `npm start` boots, with the scheduler ticked by the test instead of a timer.
    const ready = emu.waitForEvent((e) => e.kind === 'gateway' && e.t === 'GUILD_CREATE', 10_000).catch(() => undefined);
    bot = await bootBot(config, {
      clock,
      ...(options.timer ? { timer: options.timer } : {}),
      logger: options.logger ?? testLogger(),
      identifyThrottler: noThrottle,
      ticks: 'manual',
      ...(options.intake ? { intake: options.intake } : {}),
    });
    world.app = bot.app;
    world.server = bot.server!;
    world.gateway = bot.sidecar!.gateway;
    // As the developer portal: an Interactions Endpoint URL for the webhook, none for the gateway.
    emu.setInteractionsUrl(config.interactions === 'http' ? `${bot.url!}/interactions` : null);
    await bot.sidecar!.connected;
    await ready;
    alive = true;
  };
  await boot();
  await registerCommands(
    world.app.discord,
    (options.intake?.commands ?? commands).map((c) => c.definition),
    emu.fixture.guildId,
    () => {},
  );

  world.settle = () => bot.settle();
  world.tick = () => bot.tick();
  world.crash = async () => {
    if (!alive) return;
    alive = false;
    // Sockets and HTTP go away; nothing is flushed or closed cleanly (stays stay open).
    world.app.heartbeat.stop(); // a killed process has no timers left
    await world.gateway.destroy().catch(() => undefined);
    await world.server.fastify.close().catch(() => undefined);
    await world.app.database.close(); // the connection only: a killed process flushes nothing
  };
  world.stopBot = async () => {
    if (!alive) return;
    alive = false;
    await world.settle();
    await bot.stop();
    await world.app.close();
  };
  world.restart = async () => {
    await world.stopBot();
    await boot();
  };
  world.close = async () => {
    await world.stopBot().catch(() => undefined);
    await emu.close();
    tmp?.cleanup();
  };
  return world;
}

/** A world whose fixture guild is set up as most daily-message tests need: #tonight, slots 20 → 23. */
export async function startConfiguredWorld(now: number | string, interactions: InteractionMode = 'http'): Promise<World> {
  const w = await startWorld({ now, interactions });
  await configureGuild(w, w.emu.fixture.channels.tonight);
  return w;
}

/** An admin (Alice) picks the daily message's channel and the slots 20 → 23 with `/config`, as a member would. */
export async function configureGuild(w: World, channelId: string): Promise<void> {
  const alice = w.emu.fixture.members.alice.id;
  await (await w.emu.runCommand(alice, 'config', [{ name: 'channel', options: [{ name: 'channel', value: channelId }] } as never])).final();
  const hours = [
    {
      name: 'hours',
      options: [
        { name: 'first', value: 20 },
        { name: 'last', value: 23 },
      ],
    },
  ];
  await (await w.emu.runCommand(alice, 'config', hours as never)).final();
}

/** The bot's messages in #tonight as everyone sees them (no ephemeral ones), oldest first. */
export const botMessages = (w: World) => w.emu.messages(w.emu.fixture.channels.tonight).filter((m) => m.author.id === w.emu.applicationId);
