import { ApplicationCommandOptionType, InteractionType } from 'discord-api-types/v10';

/**
 * What the option-value check needs of a command's registration: the options Discord was told
 * about, with their type and limits (the same objects `npm run register` sends).
 */
export interface DeclaredOption {
  type: number;
  name: string;
  options?: readonly DeclaredOption[];
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  choices?: readonly { value: string | number }[];
}

export interface DeclaredCommand {
  name: string;
  options?: readonly DeclaredOption[];
}

/** Discord's own ceiling for a string option's value (and its default `max_length`). */
export const MAX_STRING_OPTION_LENGTH = 6000;

/** The largest magnitude Discord accepts for integer and number options (±2^53). */
const MAX_MAGNITUDE = 2 ** 53;

const SNOWFLAKE = /^\d{1,20}$/;

const SNOWFLAKE_TYPES = new Set<number>([
  ApplicationCommandOptionType.User,
  ApplicationCommandOptionType.Channel,
  ApplicationCommandOptionType.Role,
  ApplicationCommandOptionType.Mentionable,
  ApplicationCommandOptionType.Attachment,
]);

const NESTING = new Set<number>([ApplicationCommandOptionType.Subcommand, ApplicationCommandOptionType.SubcommandGroup]);

/**
 * Checks every leaf option value of a signed, shape-checked command or autocomplete against its
 * option type and, when the command declares it with that type, against its declared
 * min/max value, length and choices, so no handler ever reads a number where a zone should be, an
 * object where a role id should be, or an array nested thousands deep. Discord itself never sends
 * such values: a request carrying one is malformed (400 naming the field).
 *
 * An option the registration does not know (a stale registration) is still checked against the type
 * it carries; only the declared limits need a declaration. Autocomplete carries what the member has
 * typed so far, so its values are checked as scalars only (a half-typed integer arrives as a string).
 * @see https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-option-structure
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-application-command-interaction-data-option-structure
 */
export function optionValuesError(body: unknown, declared: ReadonlyMap<string, DeclaredCommand>): string | null {
  const interaction = body as { type: number; data?: { name?: string; options?: unknown } };
  if (interaction.type !== InteractionType.ApplicationCommand && interaction.type !== InteractionType.ApplicationCommandAutocomplete) return null;
  const data = interaction.data;
  if (!data || !Array.isArray(data.options)) return null;
  const partial = interaction.type === InteractionType.ApplicationCommandAutocomplete;
  return walk(data.options as Record<string, unknown>[], declared.get(data.name ?? '')?.options, 'data.options', partial);
}

function walk(options: Record<string, unknown>[], declared: readonly DeclaredOption[] | undefined, path: string, partial: boolean): string | null {
  for (const [i, option] of options.entries()) {
    const at = `${path}[${i}]`;
    const type = option.type as number;
    const match = declared?.find((d) => d.name === option.name && d.type === type);
    if (NESTING.has(type)) {
      // shape.ts has checked the nesting depth and that `options` is a list when present.
      if (Array.isArray(option.options)) {
        const nested = walk(option.options as Record<string, unknown>[], match?.options, `${at}.options`, partial);
        if (nested) return nested;
      }
      continue;
    }
    const error = partial ? partialValueError(option.value) : valueError(type, option.value, match);
    if (error) return `\`${at}.value\` ${error}`;
  }
  return null;
}

/** Autocomplete: whatever the member typed so far, as a scalar of sane length. */
function partialValueError(value: unknown): string | null {
  if (typeof value === 'string') return value.length > MAX_STRING_OPTION_LENGTH ? `must be at most ${MAX_STRING_OPTION_LENGTH} characters` : null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'must be a finite number';
  if (typeof value === 'boolean') return null;
  return 'must be a string, number or boolean';
}

function valueError(type: number, value: unknown, declared: DeclaredOption | undefined): string | null {
  switch (type) {
    case ApplicationCommandOptionType.String: {
      if (typeof value !== 'string') return 'must be a string';
      const max = Math.min(declared?.max_length ?? MAX_STRING_OPTION_LENGTH, MAX_STRING_OPTION_LENGTH);
      if (value.length > max) return `must be at most ${max} characters`;
      if (declared?.min_length !== undefined && value.length < declared.min_length) return `must be at least ${declared.min_length} characters`;
      return choiceError(value, declared);
    }
    case ApplicationCommandOptionType.Integer:
    case ApplicationCommandOptionType.Number: {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a number';
      if (type === ApplicationCommandOptionType.Integer && !Number.isInteger(value)) return 'must be an integer';
      if (Math.abs(value) > MAX_MAGNITUDE) return `must be between -2^53 and 2^53`;
      if (declared?.min_value !== undefined && value < declared.min_value) return `must be at least ${declared.min_value}`;
      if (declared?.max_value !== undefined && value > declared.max_value) return `must be at most ${declared.max_value}`;
      return choiceError(value, declared);
    }
    case ApplicationCommandOptionType.Boolean:
      return typeof value === 'boolean' ? null : 'must be a boolean';
    default:
      if (SNOWFLAKE_TYPES.has(type)) return typeof value === 'string' && SNOWFLAKE.test(value) ? null : 'must be a snowflake id in a string';
      // An option type Discord may add later: no handler reads it, but it still must be a scalar.
      return value === null || typeof value === 'object' ? 'must be a scalar' : null;
  }
}

function choiceError(value: string | number, declared: DeclaredOption | undefined): string | null {
  if (!declared?.choices?.length) return null;
  return declared.choices.some((c) => c.value === value) ? null : `must be one of the declared choices`;
}
