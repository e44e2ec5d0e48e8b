/**
 * `--members N --channels N --voice N --guilds N`: the command-line form of `EmulatorOptions.scale`,
 * shared by `npm run emulator` and `npm run sandbox`.
 */
import type { GuildScale } from './state/scale.js';

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
