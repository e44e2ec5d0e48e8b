import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultFixtureInput, startEmulator, type Emulator, type EmulatorOptions } from '../sandbox/index.js';
import { createApp, type App } from '../shared/app.js';
import { systemClock, type Clock } from '../shared/clock.js';
import type { Config, LogLevel } from '../shared/config.js';
import { botPermissionBits } from '../shared/discord/permissions.js';
import { createLogger } from '../shared/logger.js';
import { startSidecar, type Sidecar } from '../gateway/sidecar.js';
import { buildServer, type InteractionServer } from '../http/server.js';
import { commands } from '../http/commands/index.js';
import { registerCommands } from './registration.js';

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
  clock?: Clock;
  logLevel?: LogLevel;
  emulator?: EmulatorOptions;
  /** Pre-configure the fixture guild (channel #tonight) so a message appears at once. Default true. */
  configure?: boolean;
  /** How often the scheduler ticks (ms). */
  tickMs?: number;
}

export interface Sandbox {
  emu: Emulator;
  app: App;
  server: InteractionServer;
  sidecar: Sidecar;
  botUrl: string;
  config: Config;
  close(): Promise<void>;
}

const noThrottle = { waitForIdentify: async () => {} };

/**
 * The whole bot against the local Discord emulator: a fresh key pair and token (the emulator's),
 * commands registered in the fixture guild, a temporary database unless told otherwise.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const emu = await startEmulator({
    port: options.port ?? 0,
    ...options.emulator,
    fixture: { ...installedWithInvitePermissions(), ...options.emulator?.fixture },
  });
  const tmp = options.databasePath ? undefined : mkdtempSync(join(tmpdir(), 'rollcall-sandbox-'));
  const config: Config = {
    applicationId: emu.applicationId,
    publicKey: emu.publicKey,
    token: emu.token,
    apiUrl: emu.api,
    guildId: emu.fixture.guildId,
    databasePath: options.databasePath ?? join(tmp!, 'rollcall.sqlite'),
    httpHost: '127.0.0.1',
    httpPort: options.botPort ?? 0,
    logLevel: options.logLevel ?? 'warn',
  };
  const app = await createApp(config, { clock: options.clock ?? systemClock, logger: createLogger(config.logLevel) });
  const server = buildServer(app);
  const botUrl = await server.fastify.listen({ host: config.httpHost, port: config.httpPort });
  emu.setInteractionsUrl(`${botUrl}/interactions`);
  await registerCommands(app.discord, commands.map((c) => c.definition), emu.fixture.guildId, () => {});
  if (options.configure !== false && !(await app.guildConfig.get(emu.fixture.guildId)).channelId) {
    await app.guildConfig.setChannel(emu.fixture.guildId, emu.fixture.channels.tonight);
  }
  const sidecar = await startSidecar(app, { identifyThrottler: noThrottle, tickMs: options.tickMs });
  return {
    emu,
    app,
    server,
    sidecar,
    botUrl,
    config,
    async close() {
      await server.fastify.close();
      await sidecar.stop();
      await app.close();
      await emu.close();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    },
  };
}
