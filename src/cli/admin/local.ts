import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commands } from '../../interactions/commands/index.js';
import { ConfigError, loadConfig } from '../../shared/config.js';
import { openDatabase } from '../../shared/db/database.js';
import { migrateToLatest } from '../../shared/db/migrate.js';
import { createRest, DiscordApi } from '../../shared/discord/rest.js';
import { registerCommands } from '../registration.js';
import { AdminError, messageOf } from './errors.js';
import { projectRoot } from './paths.js';

/** Runs a program with our terminal; resolves with its exit code. */
export function runChild(command: string, args: string[], options: { cwd?: string; missing?: string } = {}): Promise<number> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', cwd: options.cwd });
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(new AdminError(error.code === 'ENOENT' ? (options.missing ?? `${command} is not installed here`) : `could not run ${command}: ${error.message}`)),
    );
    child.on('close', (code, signal) => resolveRun(code ?? (signal ? 1 : 0)));
  });
}

/** `register`: the same as `npm run register`, with an optional guild override. */
export async function registerAction(guild?: string): Promise<void> {
  let config;
  try {
    config = loadConfig(guild ? { ...process.env, DISCORD_GUILD_ID: guild } : process.env);
  } catch (error) {
    if (error instanceof ConfigError) throw new AdminError(`configuration error: ${error.message}`);
    throw error;
  }
  const discord = new DiscordApi(createRest({ apiUrl: config.apiUrl, token: config.token }), config.applicationId);
  try {
    await registerCommands(
      discord,
      commands.map((c) => c.definition),
      config.guildId,
      (line) => console.log(line),
    );
  } catch (error) {
    throw new AdminError(`registration failed: ${messageOf(error)}`);
  }
}

/** `migrate`: applies pending migrations to the database file. */
export async function migrateAction(path: string): Promise<void> {
  let database;
  try {
    database = openDatabase(path);
  } catch (error) {
    throw new AdminError(`cannot open ${path}: ${messageOf(error)}`);
  }
  try {
    const result = await migrateToLatest(database.db);
    const applied = result.results ?? [];
    console.log(applied.length ? applied.map((r) => `applied ${r.migrationName}`).join('\n') : `${path} is up to date.`);
  } catch (error) {
    throw new AdminError(messageOf(error));
  } finally {
    await database.close();
  }
}

/** `logs` on this machine: journald, where systemd puts the service's output. */
export async function localLogs(unit: string, lines: number, follow: boolean): Promise<void> {
  const code = await runChild('journalctl', ['-u', unit, '--no-pager', '-o', 'short-iso', '-n', String(lines), ...(follow ? ['-f'] : [])], {
    missing: 'journalctl is not available here: the logs are in systemd’s journal on the Pi (use --host user@pi)',
  });
  if (code !== 0) throw new AdminError(`journalctl exited with ${code} (is there a ${unit} service on this machine? try --host)`);
}

/** `test`: the project's test suite (vitest), with any extra arguments passed through. */
export async function testAction(args: string[]): Promise<void> {
  const root = projectRoot();
  const vitest = join(root, 'node_modules', '.bin', 'vitest');
  if (!existsSync(vitest)) throw new AdminError('vitest is not installed here; run `npm ci` first (the tests need the dev dependencies)');
  const code = await runChild(vitest, ['run', ...args], { cwd: root });
  if (code !== 0) throw new AdminError(`tests failed (vitest exited with ${code})`);
}

/** The charts CLI next to this tool (`src/cli/stats.ts`, or `stats.js` in a build), if it exists. */
export function statsCli(dir = join(dirname(fileURLToPath(import.meta.url)), '..')): string | null {
  for (const name of ['stats.ts', 'stats.js']) if (existsSync(join(dir, name))) return join(dir, name);
  return null;
}

/** `stats`: hands over to `npm run stats` with the same arguments. */
export async function statsAction(args: string[], cli = statsCli()): Promise<void> {
  if (!cli) throw new AdminError('the charts CLI is not part of this version of rollcall yet (src/cli/stats.ts is missing); update rollcall and try again');
  const runner = cli.endsWith('.ts') ? ['--import', 'tsx', cli] : [cli];
  const code = await runChild(process.execPath, [...runner, ...args], { cwd: projectRoot() });
  if (code !== 0) throw new AdminError(`stats exited with ${code}`);
}
