import { pino, type Logger, type LoggerOptions } from 'pino';
import type { LogLevel } from './config.js';

/** Paths pino must never print: the bot token travels in the Authorization header and in config. */
export const REDACT_PATHS = ['token', '*.token', 'config.token', 'req.headers.authorization', 'headers.authorization', 'headers.Authorization', '*.headers.authorization', 'interaction.token'];

export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { app: 'rollcall' },
  };
}

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}

export type { Logger };
