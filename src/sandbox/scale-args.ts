/**
 * `--members N --channels N --voice N --guilds N`: the command-line form of `EmulatorOptions.scale`,
 * and `--session-starts N --session-start-reset-seconds S` that of Discord's session start limit
 * (`EmulatorOptions.sharding`), shared by `npm run emulator` and `npm run sandbox`.
 */
import type { GuildScale } from './state/scale.js';
import type { ShardingOptions } from './ws-gateway/sharding.js';

export const SCALE_OPTIONS = {
  members: { type: 'string' },
  channels: { type: 'string' },
  voice: { type: 'string' },
  guilds: { type: 'string' },
} as const;

/** The scale the options ask for, or undefined when none is given. Throws on a value that is not a whole number. */
export function scaleFromArgs(values: Partial<Record<keyof typeof SCALE_OPTIONS, string | undefined>>): GuildScale | undefined {
  const scale: GuildScale = {};
  for (const key of Object.keys(SCALE_OPTIONS) as (keyof typeof SCALE_OPTIONS)[]) {
    const text = values[key];
    if (text === undefined) continue;
    if (!/^\d+$/.test(text)) throw new Error(`--${key} must be a whole number (got ${text})`);
    scale[key] = Number(text);
  }
  return Object.keys(scale).length > 0 ? scale : undefined;
}

export const SESSION_START_OPTIONS = {
  'session-starts': { type: 'string' },
  'session-start-reset-seconds': { type: 'string' },
} as const;

/**
 * The session start limit the options ask for (a small budget with a short window shows what the bot
 * does when it is used up), or undefined when none is given. Throws on a value that is not a count ≥ 1.
 */
export function sessionStartsFromArgs(values: Partial<Record<keyof typeof SESSION_START_OPTIONS, string | undefined>>): ShardingOptions | undefined {
  const count = (key: keyof typeof SESSION_START_OPTIONS) => {
    const text = values[key];
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`--${key} must be a whole number of at least 1 (got "${text}")`);
    return Number(text);
  };
  const total = count('session-starts');
  const resetSeconds = count('session-start-reset-seconds');
  if (total === undefined && resetSeconds === undefined) return undefined;
  return { ...(total !== undefined ? { sessionStartTotal: total } : {}), ...(resetSeconds !== undefined ? { sessionStartResetMs: resetSeconds * 1000 } : {}) };
}
