import { isIP } from 'node:net';
import { ALL_SHARDS, MAX_SHARD_COUNT, parseShardIds, type ShardPlan } from './shards.js';

/**
 * The only reader of `process.env`. Every setting is validated once at start; a bad one stops the
 * process with a single line that names it (and never echoes a secret's value).
 */
export interface Config {
  applicationId: string;
  /** Empty with `INTERACTIONS=gateway` when not set: nothing is signed over the gateway. */
  publicKey: string;
  token: string;
  apiUrl: string;
  guildId: string | undefined;
  databasePath: string;
  /**
   * `DATABASE_URL`: a PostgreSQL server (`postgres://user:pass@host:5432/db`) instead of the SQLite
   * file, for several processes on several machines; `pglite://` (in memory, shared by name inside
   * one process) or `pglite:///abs/folder` runs PostgreSQL compiled to WebAssembly, for tests and
   * development without a server. Unset: SQLite at {@link Config.databasePath}.
   */
  databaseUrl?: string;
  httpHost: string;
  httpPort: number;
  logLevel: LogLevel;
  /** How slash commands, buttons and autocomplete reach the bot: see {@link INTERACTION_MODES}. */
  interactions: InteractionMode;
  /**
   * `CLOCK_START` (rehearsals only: the soak suite, a dress rehearsal of tomorrow's post): unix ms the
   * bot's clock starts at; it then runs at normal speed. Unset: the wall clock.
   */
  clockStart?: number;
  /**
   * `SHARD_COUNT` and `SHARD_IDS`: which gateway shards this process runs (see `shards.ts`). Unset:
   * every shard Discord recommends, in this one process.
   */
  shards: ShardPlan;
}

/**
 * - `http`: Discord POSTs each interaction, signed, to the application's Interactions Endpoint URL
 *   (`POST /interactions`: a public HTTPS address, Caddy, a domain or a tunnel).
 * - `gateway`: the application has no Interactions Endpoint URL, so Discord sends INTERACTION_CREATE
 *   on the bot's gateway connection and takes the answer on the callback endpoint: nothing needs to
 *   reach the bot from outside.
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#receiving-an-interaction
 */
export const INTERACTION_MODES = ['http', 'gateway'] as const;
export type InteractionMode = (typeof INTERACTION_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULTS = {
  DISCORD_API_URL: 'https://discord.com/api',
  DATABASE_PATH: './data/rollcall.sqlite',
  HTTP_HOST: '127.0.0.1',
  HTTP_PORT: '8787',
  LOG_LEVEL: 'info',
  INTERACTIONS: 'http',
} as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`${variable} ${reason}`);
  }
}

const SNOWFLAKE = /^\d{17,20}$/;

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function required(env: Env, name: string, hint: string): string {
  const value = read(env, name);
  if (value === undefined) throw new ConfigError(name, `is missing: ${hint}`);
  return value;
}

/** Reads and validates the configuration. Throws {@link ConfigError} naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const applicationId = required(env, 'DISCORD_APPLICATION_ID', 'set it to the Application ID from the Discord developer portal');
  if (!SNOWFLAKE.test(applicationId)) throw new ConfigError('DISCORD_APPLICATION_ID', 'must be a Discord id (17–20 digits)');

  const interactions = (read(env, 'INTERACTIONS') ?? DEFAULTS.INTERACTIONS).toLowerCase();
  if (!(INTERACTION_MODES as readonly string[]).includes(interactions)) {
    throw new ConfigError('INTERACTIONS', "must be http (Discord POSTs commands to a public HTTPS address) or gateway (commands arrive on the bot's gateway connection; no public address)");
  }

  // Only the webhook checks signatures; over the gateway the key is not needed.
  const publicKey = interactions === 'gateway' ? (read(env, 'DISCORD_PUBLIC_KEY') ?? '') : required(env, 'DISCORD_PUBLIC_KEY', 'set it to the Public Key from the Discord developer portal');
  if (publicKey !== '' && !/^[0-9a-fA-F]{64}$/.test(publicKey)) throw new ConfigError('DISCORD_PUBLIC_KEY', 'must be 64 hexadecimal characters');

  const token = required(env, 'DISCORD_TOKEN', 'set it to the bot token from the Discord developer portal');
  if (/\s/.test(token) || token.length < 20) throw new ConfigError('DISCORD_TOKEN', 'does not look like a bot token');

  const apiUrl = read(env, 'DISCORD_API_URL') ?? DEFAULTS.DISCORD_API_URL;
  if (!isHttpUrl(apiUrl)) throw new ConfigError('DISCORD_API_URL', 'must be an http(s) URL such as https://discord.com/api');

  const guildId = read(env, 'DISCORD_GUILD_ID');
  if (guildId !== undefined && !SNOWFLAKE.test(guildId)) throw new ConfigError('DISCORD_GUILD_ID', 'must be a Discord id (17–20 digits)');

  const httpPortText = read(env, 'HTTP_PORT') ?? DEFAULTS.HTTP_PORT;
  const httpPort = Number(httpPortText);
  if (!/^\d+$/.test(httpPortText) || httpPort > 65535) throw new ConfigError('HTTP_PORT', 'must be a port number from 0 to 65535');

  const logLevel = (read(env, 'LOG_LEVEL') ?? DEFAULTS.LOG_LEVEL).toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }

  const httpHost = read(env, 'HTTP_HOST') ?? DEFAULTS.HTTP_HOST;
  if (!isHostAddress(httpHost)) throw new ConfigError('HTTP_HOST', 'must be an IP address or a host name to listen on, such as 127.0.0.1, 0.0.0.0 or ::');
  // Over the gateway the port serves only /healthz and /metrics, for this machine.
  if (interactions === 'gateway' && !LOOPBACK_HOSTS.has(httpHost.toLowerCase())) {
    throw new ConfigError('HTTP_HOST', `(${httpHost}) must be a loopback address (127.0.0.1, ::1 or localhost) with INTERACTIONS=gateway: only /healthz and /metrics listen, for this machine`);
  }

  const databasePath = read(env, 'DATABASE_PATH') ?? DEFAULTS.DATABASE_PATH;
  if (databasePath.includes('\0')) throw new ConfigError('DATABASE_PATH', 'must be a file path');
  if (/[/\\]$/.test(databasePath)) throw new ConfigError('DATABASE_PATH', 'must name a file, not a directory (e.g. ./data/rollcall.sqlite)');

  const databaseUrl = read(env, 'DATABASE_URL');
  if (databaseUrl !== undefined) checkDatabaseUrl(databaseUrl);

  const clockStartText = read(env, 'CLOCK_START');
  const clockStart = clockStartText === undefined ? undefined : Date.parse(clockStartText);
  if (clockStart !== undefined && (!/^\d{4}-\d{2}-\d{2}T/.test(clockStartText!) || !Number.isFinite(clockStart))) {
    throw new ConfigError('CLOCK_START', 'must be an ISO 8601 date and time such as 2026-12-05T21:00:00Z (or unset: the wall clock)');
  }

  const shards = readShards(env);

  return {
    applicationId,
    publicKey: publicKey.toLowerCase(),
    token,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    guildId,
    databasePath,
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    httpHost,
    httpPort,
    logLevel: logLevel as LogLevel,
    interactions: interactions as InteractionMode,
    ...(clockStart === undefined ? {} : { clockStart }),
    shards,
  };
}

/**
 * `SHARD_COUNT` (how many shards the whole bot runs, the same in every gateway process) and
 * `SHARD_IDS` (the ones this process runs; default all of them).
 * @see https://discord.com/developers/docs/events/gateway#sharding
 */
function readShards(env: Env): ShardPlan {
  const countText = read(env, 'SHARD_COUNT');
  const idsText = read(env, 'SHARD_IDS');
  if (countText === undefined) {
    if (idsText !== undefined) throw new ConfigError('SHARD_IDS', 'needs SHARD_COUNT too: the number of shards all gateway processes run together (e.g. SHARD_COUNT=4 SHARD_IDS=0,1)');
    return ALL_SHARDS;
  }
  const count = Number(countText);
  if (!/^\d+$/.test(countText) || count < 1 || count > MAX_SHARD_COUNT) {
    throw new ConfigError('SHARD_COUNT', `must be a whole number from 1 to ${MAX_SHARD_COUNT}: the shards all gateway processes run together (got ${countText})`);
  }
  if (idsText === undefined) return { count, ids: Array.from({ length: count }, (_, i) => i) };
  try {
    return { count, ids: parseShardIds(idsText, count) };
  } catch (error) {
    throw new ConfigError('SHARD_IDS', (error as Error).message);
  }
}

/**
 * The database alone, for the commands that need no Discord credentials (`npm run migrate`):
 * `DATABASE_URL` (validated) or the SQLite file `DATABASE_PATH`, and how to name it in a message —
 * a URL without its password.
 */
export function loadDatabaseTarget(env: Env = process.env): { target: string; label: string } {
  const url = read(env, 'DATABASE_URL');
  if (url !== undefined) {
    checkDatabaseUrl(url);
    const shown = new URL(url);
    if (shown.password) shown.password = '***';
    return { target: url, label: shown.toString() };
  }
  const path = read(env, 'DATABASE_PATH') ?? DEFAULTS.DATABASE_PATH;
  return { target: path, label: path };
}

/**
 * `DATABASE_URL` names a PostgreSQL server or PGlite; the message never echoes the URL (it may hold
 * a password).
 */
function checkDatabaseUrl(text: string): void {
  const hint = 'must be a PostgreSQL URL such as postgres://rollcall:secret@127.0.0.1:5432/rollcall (or pglite:// for PostgreSQL in WebAssembly; unset for the SQLite file at DATABASE_PATH)';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('DATABASE_URL', hint);
  }
  if (url.protocol === 'pglite:') return;
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new ConfigError('DATABASE_URL', hint);
  if (url.hostname === '' && !url.searchParams.has('host')) throw new ConfigError('DATABASE_URL', `names no host: ${hint}`);
  if (url.pathname.length <= 1) throw new ConfigError('DATABASE_URL', `names no database (the path after the host, e.g. /rollcall): ${hint}`);
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** An IPv4/IPv6 address, or a host name made of DNS labels (RFC 1123). */
function isHostAddress(text: string): boolean {
  if (isIP(text) !== 0) return true;
  if (text.length > 253) return false;
  return text.split('.').every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(label));
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** For entry points: load the config or print the one clear line and exit. */
export function loadConfigOrExit(env: Env = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`rollcall: configuration error: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/**
 * For entry points: Discord refused a setting after the start (the token, see
 * src/gateway/sidecar.ts). The same one line as a configuration error at start; the caller then
 * stops cleanly and exits {@link EX_CONFIG}, which the systemd unit does not restart into.
 */
export function reportRefusedSetting(why: string): void {
  process.stderr.write(`rollcall: configuration error: ${why}\n`);
}

/** Exit code of a configuration error (sysexits' EX_CONFIG); `RestartPreventExitStatus=78` in the unit. */
export const EX_CONFIG = 78;

/** The start-up steps a setting can make fail. */
export type StartStep = 'database' | 'listen';

/** Codes with which opening a file fails (node:fs, and SQLite's own through better-sqlite3). */
const FILE_ERRORS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  ENOENT: 'a directory on the path does not exist and cannot be made',
  EEXIST: 'a part of the path is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  EISDIR: 'it is a directory',
  ENOSPC: 'the disk is full',
  SQLITE_CANTOPEN: 'SQLite cannot open a file there (a directory, or no permission)',
  SQLITE_PERM: 'permission denied',
  SQLITE_READONLY: 'the file is read-only',
  SQLITE_NOTADB: 'the file is not an SQLite database',
  SQLITE_CORRUPT: 'the database file is corrupt',
  SQLITE_FULL: 'the disk is full',
};

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * When a start-up step failed because of a setting (the database file cannot be opened, the host is
 * not this machine's, the port is taken), the error naming that setting; otherwise null (a bug,
 * which keeps its stack trace).
 */
export function startFailure(step: StartStep, error: unknown, config: Pick<Config, 'databasePath' | 'httpHost' | 'httpPort'>): ConfigError | null {
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (step === 'database') {
    // openDatabase's own check: the message already names the file, its owner and mode.
    if (code === 'EDBACCESS') return new ConfigError('DATABASE_PATH', `(${config.databasePath}) ${message}`);
    const reason =
      (code && (FILE_ERRORS[code] ?? (code.startsWith('SQLITE_IOERR') ? 'the disk could not be read or written' : undefined))) ??
      (/cannot open database/i.test(message) ? 'the directory does not exist' : undefined);
    return reason ? new ConfigError('DATABASE_PATH', `(${config.databasePath}) cannot be opened: ${reason}`) : null;
  }
  const where = `${config.httpHost}:${config.httpPort}`;
  switch (code) {
    case 'EADDRINUSE':
      return new ConfigError('HTTP_PORT', `(${config.httpPort}) is already in use on ${config.httpHost}: stop the other server or pick another port`);
    case 'EACCES':
      return new ConfigError('HTTP_PORT', `(${config.httpPort}) needs privileges this process does not have: use a port above 1023`);
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT':
      return new ConfigError('HTTP_HOST', `(${config.httpHost}) is not an address of this machine, so ${where} cannot be listened on`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return new ConfigError('HTTP_HOST', `(${config.httpHost}) does not resolve to an address of this machine`);
    default:
      return null;
  }
}

/**
 * For entry points: runs one start-up step (`createApp`, `listen`). If it fails because of a
 * setting, the process stops with one line naming the variable (no stack trace, never a secret);
 * any other failure is thrown on.
 */
export async function startStepOrExit<T>(step: StartStep, config: Config, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const failure = startFailure(step, error, config);
    if (!failure) throw error;
    process.stderr.write(`rollcall: configuration error: ${failure.message}\n`);
    process.exit(78); // EX_CONFIG
  }
}
