import { DiscordAPIError, HTTPError, RateLimitError } from '@discordjs/rest';
import { RESTJSONErrorCodes } from 'discord-api-types/v10';

/**
 * Discord's answers as rollcall's services see them: the REST façade turns @discordjs/rest's errors
 * into these, so services decide on plain facts (no access, not found, permanent or not) and never
 * import Discord's or @discordjs' types. The original error stays as `cause`; the message is Discord's.
 * @see https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
 */
export class DiscordRequestError extends Error {
  constructor(
    message: string,
    /** HTTP status (429 for a rate limit the client gave up waiting on). */
    readonly status: number,
    /** Discord's JSON error code, when it sent one. */
    readonly code: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DiscordRequestError';
  }

  /** A 4xx other than 429: sending the same request again will fail the same way. */
  get permanent(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 429;
  }
}

/** The bot may not do this here: it cannot see the channel (50001) or lacks a permission (50013, 50008). */
export class NoAccessError extends DiscordRequestError {
  /** `missing-access`: the bot cannot see the channel (or what is in it); `missing-permissions`: it sees, but may not do this. */
  readonly kind: 'missing-access' | 'missing-permissions';

  constructor(message: string, status: number, code: number, options?: { cause?: unknown }) {
    super(message, status, code, options);
    this.name = 'NoAccessError';
    this.kind = code === RESTJSONErrorCodes.MissingAccess ? 'missing-access' : 'missing-permissions';
  }
}

/** What Discord calls "Unknown …": the thing asked for does not exist (any more). */
export type MissingResource = 'channel' | 'guild' | 'member' | 'message' | 'role' | 'user' | 'emoji' | 'webhook' | 'interaction' | 'other';

export class NotFoundError extends DiscordRequestError {
  constructor(
    message: string,
    status: number,
    code: number | undefined,
    readonly resource: MissingResource,
    options?: { cause?: unknown },
  ) {
    super(message, status, code, options);
    this.name = 'NotFoundError';
  }
}

const NO_ACCESS = new Set<number>([RESTJSONErrorCodes.MissingAccess, RESTJSONErrorCodes.MissingPermissions, RESTJSONErrorCodes.CannotSendMessagesInNonTextChannel]);

const UNKNOWN: ReadonlyMap<number, MissingResource> = new Map([
  [RESTJSONErrorCodes.UnknownChannel, 'channel'],
  [RESTJSONErrorCodes.UnknownGuild, 'guild'],
  [RESTJSONErrorCodes.UnknownMember, 'member'],
  [RESTJSONErrorCodes.UnknownMessage, 'message'],
  [RESTJSONErrorCodes.UnknownRole, 'role'],
  [RESTJSONErrorCodes.UnknownUser, 'user'],
  [RESTJSONErrorCodes.UnknownEmoji, 'emoji'],
  [RESTJSONErrorCodes.UnknownWebhook, 'webhook'],
  [RESTJSONErrorCodes.UnknownInteraction, 'interaction'],
]);

/** @discordjs/rest's error → the domain error above; anything else (network, bugs) unchanged. */
export function toDomainError(error: unknown): unknown {
  if (error instanceof DiscordAPIError) {
    const code = typeof error.code === 'number' ? error.code : undefined;
    if (code !== undefined && NO_ACCESS.has(code)) return new NoAccessError(error.message, error.status, code, { cause: error });
    const resource = code !== undefined ? UNKNOWN.get(code) : undefined;
    if (resource) return new NotFoundError(error.message, error.status, code, resource, { cause: error });
    return new DiscordRequestError(error.message, error.status, code, { cause: error });
  }
  if (error instanceof HTTPError) return new DiscordRequestError(error.message, error.status, undefined, { cause: error });
  if (error instanceof RateLimitError) return new DiscordRequestError(error.message, 429, undefined, { cause: error });
  return error;
}

/**
 * Discord refused a DM because the member does not accept DMs from this server's members (50007):
 * retrying will fail the same way until they change that setting.
 * @see https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
 */
export function isClosedDms(error: unknown): boolean {
  return error instanceof DiscordRequestError && error.code === RESTJSONErrorCodes.CannotSendMessagesToThisUser;
}
