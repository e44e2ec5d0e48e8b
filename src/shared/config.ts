/**
 * The only reader of `process.env`. Every setting is validated once at start; a bad one stops the
 * process with a single line that names it (and never echoes a secret's value).
 */
export interface Config {
  applicationId: string;
  publicKey: string;
  token: string;
  apiUrl: string;
  guildId: string | undefined;
  databasePath: string;
  httpHost: string;
  httpPort: number;
  logLevel: LogLevel;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULTS = {
  DISCORD_API_URL: 'https://discord.com/api',
  DATABASE_PATH: './data/rollcall.sqlite',
  HTTP_HOST: '127.0.0.1',
  HTTP_PORT: '8787',
  LOG_LEVEL: 'info',
} as const;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly variable: string, reason: string) {
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

  const publicKey = required(env, 'DISCORD_PUBLIC_KEY', 'set it to the Public Key from the Discord developer portal');
  if (!/^[0-9a-fA-F]{64}$/.test(publicKey)) throw new ConfigError('DISCORD_PUBLIC_KEY', 'must be 64 hexadecimal characters');

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

  return {
    applicationId,
    publicKey: publicKey.toLowerCase(),
    token,
    apiUrl: apiUrl.replace(/\/+$/, ''),
    guildId,
    databasePath: read(env, 'DATABASE_PATH') ?? DEFAULTS.DATABASE_PATH,
    httpHost: read(env, 'HTTP_HOST') ?? DEFAULTS.HTTP_HOST,
    httpPort,
    logLevel: logLevel as LogLevel,
  };
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
