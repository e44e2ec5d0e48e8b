/**
 * Discord's JSON error responses: `{ message, code, errors? }` with the HTTP status Discord uses.
 * @see https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
 * @see https://discord.com/developers/docs/reference#error-messages
 */

/** Nested form-body errors: `{ content: { _errors: [{ code, message }] } }`. */
export interface FormErrors {
  [field: string]: FormErrors | { code: string; message: string }[];
}

/** A Discord API error; the REST layer turns it into the response, the typed API rethrows it. */
export class DiscordError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: FormErrors,
  ) {
    super(message);
    this.name = 'DiscordError';
  }

  toJSON(): { message: string; code: number; errors?: FormErrors } {
    return this.errors ? { message: this.message, code: this.code, errors: this.errors } : { message: this.message, code: this.code };
  }
}

export const unauthorized = () => new DiscordError(401, 0, '401: Unauthorized');
export const notFound = () => new DiscordError(404, 0, '404: Not Found');
export const methodNotAllowed = () => new DiscordError(405, 0, '405: Method Not Allowed');
export const unknownChannel = () => new DiscordError(404, 10003, 'Unknown Channel');
export const unknownGuild = () => new DiscordError(404, 10004, 'Unknown Guild');
export const unknownMember = () => new DiscordError(404, 10007, 'Unknown Member');
export const unknownMessage = () => new DiscordError(404, 10008, 'Unknown Message');
export const unknownRole = () => new DiscordError(404, 10011, 'Unknown Role');
export const unknownUser = () => new DiscordError(404, 10013, 'Unknown User');
export const unknownEmoji = () => new DiscordError(400, 10014, 'Unknown Emoji');
export const unknownWebhook = () => new DiscordError(404, 10015, 'Unknown Webhook');
export const unknownApplication = () => new DiscordError(404, 10002, 'Unknown Application');
export const unknownCommand = () => new DiscordError(404, 10063, 'Unknown application command');
export const unknownInteraction = () => new DiscordError(404, 10062, 'Unknown interaction');
export const missingAccess = () => new DiscordError(403, 50001, 'Missing Access');
export const cannotEditOthersMessage = () => new DiscordError(403, 50005, 'Cannot edit a message authored by another user');
export const emptyMessage = () => new DiscordError(400, 50006, 'Cannot send an empty message');
export const cannotSendToUser = () => new DiscordError(403, 50007, 'Cannot send messages to this user');
export const missingPermissions = () => new DiscordError(403, 50013, 'Missing Permissions');
export const invalidJson = () => new DiscordError(400, 50109, 'The request body contains invalid JSON.');
export const alreadyAcknowledged = () => new DiscordError(400, 40060, 'Interaction has already been acknowledged.');
export const interactionNotReplied = () => new DiscordError(400, 40061, 'Interaction has not been replied to yet.');

/** 50035 with Discord's nested `errors` object. */
export function invalidFormBody(errors: FormErrors): DiscordError {
  return new DiscordError(400, 50035, 'Invalid Form Body', errors);
}

/** One field error as Discord nests it, e.g. `fieldError(['embeds', '0', 'title'], 'BASE_TYPE_MAX_LENGTH', …)`. */
export function fieldError(path: (string | number)[], code: string, message: string): FormErrors {
  let node: FormErrors = { _errors: [{ code, message }] };
  for (const part of [...path].reverse()) node = { [String(part)]: node };
  return node;
}

/** Deep-merges field errors so several problems are reported at once, as Discord does. */
export function mergeFormErrors(into: FormErrors, add: FormErrors): FormErrors {
  for (const [key, value] of Object.entries(add)) {
    const existing = into[key];
    if (Array.isArray(value)) into[key] = [...(Array.isArray(existing) ? existing : []), ...value];
    else if (existing && !Array.isArray(existing)) mergeFormErrors(existing, value);
    else into[key] = value;
  }
  return into;
}
