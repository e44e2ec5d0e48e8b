import { DiscordAPIError, REST, type RawFile, type RateLimitData } from '@discordjs/rest';
import {
  RESTJSONErrorCodes,
  Routes,
  type APIApplicationCommand,
  type APIEmoji,
  type APIGuildMember,
  type APIRole,
  type APIMessage,
  type APIChannel,
  type APIUser,
  type RESTPostAPIChannelMessageJSONBody,
  type RESTPatchAPIChannelMessageJSONBody,
  type RESTPatchAPIWebhookWithTokenMessageJSONBody,
  type RESTPostAPIWebhookWithTokenJSONBody,
  type RESTPutAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { countRestTraffic } from './rest-metrics.js';

import type { RateBudget } from './limiter.js';

export interface RestOptions {
  apiUrl: string;
  token: string;
  /** Give up on a 429 whose wait is longer than this instead of retrying forever (the default). */
  maxRateLimitWaitMs?: number;
}

/**
 * The one place a @discordjs/rest client is created. `api` points it at Discord or at the
 * emulator. @discordjs/rest waits out 429s forever by default; a wait longer than
 * `maxRateLimitWaitMs` rejects instead, so a stuck bucket surfaces as an error, not a hang.
 */
export function createRest(options: RestOptions): REST {
  const maxWait = options.maxRateLimitWaitMs ?? 15_000;
  const rest = new REST({
    api: options.apiUrl,
    version: '10',
    retries: 2,
    timeout: 15_000,
    rejectOnRateLimit: (data: RateLimitData) => data.retryAfter > maxWait,
  }).setToken(options.token);
  return countRestTraffic(rest);
}

export interface FileAttachment {
  name: string;
  data: Buffer;
  contentType?: string;
}

/** One emoji's reactions on a message. */
export interface MessageReaction {
  /** As reaction routes take it: the unicode emoji, or `name:id` for a custom one. */
  emoji: string;
  custom: boolean;
  count: number;
  /** The bot reacted with it. */
  me: boolean;
}

/** A guild member as rollcall keeps it: plain values, read from Discord's member object. */
export interface FetchedMember {
  userId: string;
  /** nick ?? global_name ?? username — what the member is called in this server. */
  displayName: string;
  roles: string[];
  /** The guild avatar hash, else the user's. */
  avatar: string | null;
  bot: boolean;
}

/** @see https://discord.com/developers/docs/resources/guild#guild-member-object */
export function toFetchedMember(m: Pick<APIGuildMember, 'nick' | 'roles' | 'avatar'> & { user: APIGuildMember['user'] }): FetchedMember {
  return {
    userId: m.user.id,
    displayName: m.nick ?? m.user.global_name ?? m.user.username,
    roles: [...m.roles],
    avatar: m.avatar ?? m.user.avatar ?? null,
    bot: m.user.bot === true,
  };
}

/** True for Discord's "Unknown …" errors (10007 member, 10014 emoji, 10011 role, 10004 guild). */
function isUnknown(error: unknown, code: number): boolean {
  return error instanceof DiscordAPIError && error.code === code;
}

function toRawFiles(files: readonly FileAttachment[] | undefined): RawFile[] | undefined {
  return files?.map((f) => ({ name: f.name, data: f.data, contentType: f.contentType }));
}

/**
 * Typed calls on Discord's REST API used by rollcall, in the style of `@discordjs/core`'s
 * `new API(rest)`: the client is passed in, nothing here reads config.
 * @see https://discord.com/developers/docs/reference
 */
export class DiscordApi {
  constructor(
    readonly rest: REST,
    readonly applicationId: string,
    /** Rollcall's own per-channel limits (see limiter.ts); none for one-shot CLIs. */
    private readonly budget?: RateBudget,
  ) {}

  /** @see https://discord.com/developers/docs/interactions/application-commands#get-global-application-commands */
  async getCommands(guildId?: string): Promise<APIApplicationCommand[]> {
    const route = guildId
      ? Routes.applicationGuildCommands(this.applicationId, guildId)
      : Routes.applicationCommands(this.applicationId);
    return (await this.rest.get(route)) as APIApplicationCommand[];
  }

  /** @see https://discord.com/developers/docs/interactions/application-commands#bulk-overwrite-global-application-commands */
  async putCommands(body: RESTPutAPIApplicationCommandsJSONBody, guildId?: string): Promise<APIApplicationCommand[]> {
    const route = guildId
      ? Routes.applicationGuildCommands(this.applicationId, guildId)
      : Routes.applicationCommands(this.applicationId);
    return (await this.rest.put(route, { body })) as APIApplicationCommand[];
  }

  /** @see https://discord.com/developers/docs/resources/message#create-message */
  async createMessage(channelId: string, body: RESTPostAPIChannelMessageJSONBody): Promise<APIMessage> {
    await this.budget?.take('create', channelId);
    return (await this.rest.post(Routes.channelMessages(channelId), { body })) as APIMessage;
  }

  /**
   * Edits a message after waiting for a token of the channel's edit bucket, like every edit.
   * @see https://discord.com/developers/docs/resources/message#edit-message
   */
  async editMessage(channelId: string, messageId: string, body: RESTPatchAPIChannelMessageJSONBody): Promise<APIMessage> {
    return (await this.editMessageWhenAllowed(channelId, messageId, async () => body))!;
  }

  /**
   * Waits for an edit token, *then* asks `prepare` for the body, so what is sent is as fresh as it can
   * be (the message editor renders the current state there). `prepare` returning null sends nothing
   * (the token is spent) and resolves null. One token per call: callers never take their own.
   */
  async editMessageWhenAllowed(
    channelId: string,
    messageId: string,
    prepare: () => Promise<RESTPatchAPIChannelMessageJSONBody | null>,
  ): Promise<APIMessage | null> {
    await this.budget?.take('edit', channelId);
    const body = await prepare();
    if (!body) return null;
    return (await this.rest.patch(Routes.channelMessage(channelId, messageId), { body })) as APIMessage;
  }

  /** @see https://discord.com/developers/docs/resources/message#get-channel-messages */
  async getMessages(channelId: string, query: { limit?: number; before?: string; after?: string } = {}): Promise<APIMessage[]> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    return (await this.rest.get(Routes.channelMessages(channelId), { query: params })) as APIMessage[];
  }

  /**
   * The reactions on a message, one entry per emoji: `emoji` as reaction routes take it (the
   * character, or `name:id` for a custom emoji), how many reacted, and whether the bot is one of them.
   * @see https://discord.com/developers/docs/resources/message#get-channel-message
   */
  async getMessageReactions(channelId: string, messageId: string): Promise<MessageReaction[]> {
    const message = (await this.rest.get(Routes.channelMessage(channelId, messageId))) as APIMessage;
    return (message.reactions ?? []).map((r) => ({
      emoji: r.emoji.id ? `${r.emoji.name ?? '_'}:${r.emoji.id}` : (r.emoji.name ?? ''),
      custom: r.emoji.id !== null,
      count: r.count,
      me: r.me,
    }));
  }

  /** @see https://discord.com/developers/docs/resources/message#create-reaction */
  async addOwnReaction(channelId: string, messageId: string, emoji: string): Promise<void> {
    await this.budget?.take('reaction', channelId);
    await this.rest.put(Routes.channelMessageOwnReaction(channelId, messageId, encodeURIComponent(emoji)));
  }

  /** @see https://discord.com/developers/docs/resources/message#delete-user-reaction */
  async removeUserReaction(channelId: string, messageId: string, emoji: string, userId: string): Promise<void> {
    await this.budget?.take('reaction', channelId);
    await this.rest.delete(Routes.channelMessageUserReaction(channelId, messageId, encodeURIComponent(emoji), userId));
  }

  /**
   * Every user who reacted with `emoji`, following `after` pages of 100.
   * @see https://discord.com/developers/docs/resources/message#get-reactions
   */
  async getAllReactionUsers(channelId: string, messageId: string, emoji: string): Promise<APIUser[]> {
    const users: APIUser[] = [];
    let after: string | undefined;
    for (;;) {
      const query = new URLSearchParams({ limit: '100', ...(after ? { after } : {}) });
      const page = (await this.rest.get(Routes.channelMessageReaction(channelId, messageId, encodeURIComponent(emoji)), { query })) as APIUser[];
      users.push(...page);
      if (page.length < 100) return users;
      after = page.at(-1)!.id;
    }
  }

  /** Opens (or reuses) a DM channel and sends `content`. @see https://discord.com/developers/docs/resources/user#create-dm */
  async sendDirectMessage(userId: string, content: string): Promise<void> {
    const channel = (await this.rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as APIChannel;
    await this.createMessage(channel.id, { content, allowed_mentions: { parse: [] } });
  }

  /** @see https://discord.com/developers/docs/interactions/receiving-and-responding#edit-original-interaction-response */
  async editOriginalResponse(
    interactionToken: string,
    body: RESTPatchAPIWebhookWithTokenMessageJSONBody,
    files?: readonly FileAttachment[],
  ): Promise<APIMessage> {
    return (await this.rest.patch(Routes.webhookMessage(this.applicationId, interactionToken, '@original'), {
      body,
      files: toRawFiles(files),
      auth: false,
    })) as APIMessage;
  }

  /**
   * One member of a guild, or null when the user is not (or no longer) in it (error 10007).
   * Works without the privileged members intent.
   * @see https://discord.com/developers/docs/resources/guild#get-guild-member
   */
  async getGuildMember(guildId: string, userId: string): Promise<FetchedMember | null> {
    try {
      return toFetchedMember((await this.rest.get(Routes.guildMember(guildId, userId))) as APIGuildMember);
    } catch (error) {
      if (isUnknown(error, RESTJSONErrorCodes.UnknownMember) || isUnknown(error, RESTJSONErrorCodes.UnknownUser)) return null;
      throw error;
    }
  }

  /**
   * One custom emoji of a guild, or null when the guild has no such emoji (error 10014).
   * @see https://discord.com/developers/docs/resources/emoji#get-guild-emoji
   */
  async getGuildEmoji(guildId: string, emojiId: string): Promise<APIEmoji | null> {
    try {
      return (await this.rest.get(Routes.guildEmoji(guildId, emojiId))) as APIEmoji;
    } catch (error) {
      if (isUnknown(error, RESTJSONErrorCodes.UnknownEmoji)) return null;
      throw error;
    }
  }

  /** @see https://discord.com/developers/docs/resources/guild#get-guild-roles */
  async getGuildRoles(guildId: string): Promise<APIRole[]> {
    return (await this.rest.get(Routes.guildRoles(guildId))) as APIRole[];
  }

  /** @see https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message */
  async createFollowup(
    interactionToken: string,
    body: RESTPostAPIWebhookWithTokenJSONBody,
    files?: readonly FileAttachment[],
  ): Promise<APIMessage> {
    return (await this.rest.post(Routes.webhook(this.applicationId, interactionToken), {
      body,
      files: toRawFiles(files),
      auth: false,
    })) as APIMessage;
  }
}
