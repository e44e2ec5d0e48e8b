import { ApplicationCommandOptionType, InteractionType } from 'discord-api-types/v10';

/**
 * Checks that a verified, parsed body has the shape the router and handlers read, so a signed but
 * mis-shaped payload is refused with 400 instead of failing inside a handler (500). Returns what is
 * wrong, or null. It checks only the fields rollcall reads; Discord may add others.
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object
 */
export function interactionShapeError(body: unknown): string | null {
  if (!isObject(body)) return 'the body is not a JSON object';
  const type = body.type;
  if (typeof type !== 'number' || !Number.isInteger(type)) return '`type` must be an integer';
  if (type === InteractionType.Ping) return null;
  if (!nonEmptyString(body.id)) return '`id` must be a string';
  if (!nonEmptyString(body.token)) return '`token` must be a string';
  const people = peopleError(body);
  if (people) return people;
  if (body.guild_id !== undefined && body.guild_id !== null && !nonEmptyString(body.guild_id)) return '`guild_id` must be a string';
  if (body.channel !== undefined && body.channel !== null && !(isObject(body.channel) && nonEmptyString(body.channel.id))) return '`channel.id` must be a string';

  const data = body.data;
  switch (type) {
    case InteractionType.ApplicationCommand:
    case InteractionType.ApplicationCommandAutocomplete: {
      if (!isObject(data)) return '`data` must be an object for a command';
      if (!nonEmptyString(data.name)) return '`data.name` must be a non-empty string';
      if (data.type !== undefined && typeof data.type !== 'number') return '`data.type` must be a number';
      if (data.resolved !== undefined && data.resolved !== null && !isObject(data.resolved)) return '`data.resolved` must be an object';
      return optionsError(data.options, 'data.options');
    }
    case InteractionType.MessageComponent: {
      if (!isObject(data)) return '`data` must be an object for a component';
      if (!nonEmptyString(data.custom_id)) return '`data.custom_id` must be a non-empty string';
      if (data.values !== undefined && !(Array.isArray(data.values) && data.values.every((v) => typeof v === 'string'))) return '`data.values` must be a list of strings';
      if (!isObject(body.message) || !nonEmptyString(body.message.id)) return '`message.id` must be a string for a component';
      return null;
    }
    case InteractionType.ModalSubmit: {
      if (!isObject(data)) return '`data` must be an object for a modal submit';
      if (!nonEmptyString(data.custom_id)) return '`data.custom_id` must be a non-empty string';
      return null;
    }
    default:
      // A kind Discord may add later: the router answers it with a polite "not handled".
      return null;
  }
}

/** Discord's permission bit set: a decimal integer in a string. */
export function isPermissionBits(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,40}$/.test(value);
}

function peopleError(body: Record<string, unknown>): string | null {
  const member = body.member;
  if (member !== undefined && member !== null) {
    if (!isObject(member)) return '`member` must be an object';
    if (member.permissions !== undefined && !isPermissionBits(member.permissions)) {
      return '`member.permissions` must be a decimal permission bit set in a string';
    }
    if (member.roles !== undefined && !(Array.isArray(member.roles) && member.roles.every((r) => typeof r === 'string'))) return '`member.roles` must be a list of strings';
    if (member.user !== undefined && member.user !== null && !(isObject(member.user) && nonEmptyString(member.user.id))) return '`member.user.id` must be a string';
  }
  const user = body.user;
  if (user !== undefined && user !== null && !(isObject(user) && nonEmptyString(user.id))) return '`user.id` must be a string';
  return null;
}

const NESTING = new Set<unknown>([ApplicationCommandOptionType.Subcommand, ApplicationCommandOptionType.SubcommandGroup]);

function optionsError(options: unknown, path: string, depth = 0): string | null {
  if (options === undefined) return null;
  if (!Array.isArray(options)) return `\`${path}\` must be a list`;
  for (const [i, option] of options.entries()) {
    const at = `${path}[${i}]`;
    if (!isObject(option)) return `\`${at}\` must be an object`;
    if (!nonEmptyString(option.name)) return `\`${at}.name\` must be a non-empty string`;
    if (typeof option.type !== 'number') return `\`${at}.type\` must be a number`;
    if (NESTING.has(option.type)) {
      if (depth >= 2) return `\`${at}\` is nested too deeply`;
      // A group always carries its subcommand; a subcommand may have no options.
      if (option.type === ApplicationCommandOptionType.SubcommandGroup && !(Array.isArray(option.options) && option.options.length > 0)) return `\`${at}.options\` must name a subcommand`;
      const nested = optionsError(option.options, `${at}.options`, depth + 1);
      if (nested) return nested;
    } else if (option.options !== undefined) {
      return `\`${at}\` is a value and cannot have options`;
    }
  }
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
