import { REST, type RateLimitData } from '@discordjs/rest';
import {
  ButtonStyle,
  ComponentType,
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
  type APIInteractionResponse,
} from 'discord-api-types/v10';
import { NotFoundError, toDomainError } from './errors.js';
import { countQueued, countRestTraffic } from './rest-metrics.js';

import type { RateBudget } from './limiter.js';
import {
  toFetchedMember,
  toMessage,
  toRawFiles,
  type ChannelMessage,
  type FetchedMember,
  type FileAttachment,
  type GuildEmoji,
  type MessageEdit,
  type MessageReaction,
  type NewMessage,
  type ReactionUser,
  type RoleInfo,
} from './shapes.js';

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

/**
 * Typed calls on Discord's REST API used by rollcall, in the style of `@discordjs/core`'s
 * `new API(rest)`: the client is passed in, nothing here reads config. The calls services make
 * return plain project shapes and fail with the domain errors of `errors.ts` ({@link NoAccessError},
 * {@link NotFoundError}, {@link DiscordRequestError}); the interaction webhook calls the HTTP layer
 * makes keep Discord's types and @discordjs/rest's errors.
 * @see https://discord.com/developers/docs/reference
 */
export class DiscordApi {
  constructor(
    readonly rest: REST,
    readonly applicationId: string,
    /** Rollcall's own per-channel limits (see limiter.ts); none for one-shot CLIs. */
    private readonly budget?: RateBudget,
  ) {}

  /** Waits for a token of rollcall's own budget, counted in the REST queue depth while it waits. */
  private async allowed(kind: Parameters<RateBudget['take']>[0], channelId: string): Promise<void> {
    const budget = this.budget;
    if (budget) await countQueued(() => budget.take(kind, channelId));
  }

  /**
   * A reaction request: a token of the channel's reaction bucket first, and once Discord has
   * answered, the bucket told so ({@link RateBudget.finished}) — Discord allows one per 250 ms from
   * when a request *arrives*, and ours is 300 ms from when its token was taken.
   */
  private async reaction(channelId: string, request: () => Promise<unknown>): Promise<void> {
    await this.allowed('reaction', channelId);
    try {
      await this.call(request);
    } finally {
      // Not recorded (the database is failing too): the next token counts from this one's take, as
      // every other bucket's does.
      await this.budget?.finished('reaction', channelId).catch(() => {});
    }
  }

  /** Runs a request, translating @discordjs/rest's errors into domain errors. */
  private async call<T>(request: () => Promise<unknown>): Promise<T> {
    try {
      return (await request()) as T;
    } catch (error) {
      throw toDomainError(error);
    }
  }

  /** @see https://discord.com/developers/docs/interactions/application-commands#get-global-application-commands */
  async getCommands(guildId?: string): Promise<APIApplicationCommand[]> {
    const route = guildId ? Routes.applicationGuildCommands(this.applicationId, guildId) : Routes.applicationCommands(this.applicationId);
    return this.call(() => this.rest.get(route));
  }

  /** @see https://discord.com/developers/docs/interactions/application-commands#bulk-overwrite-global-application-commands */
  async putCommands(body: RESTPutAPIApplicationCommandsJSONBody, guildId?: string): Promise<APIApplicationCommand[]> {
    const route = guildId ? Routes.applicationGuildCommands(this.applicationId, guildId) : Routes.applicationCommands(this.applicationId);
    return this.call(() => this.rest.put(route, { body }));
  }

  /** @see https://discord.com/developers/docs/resources/message#create-message */
  async createMessage(channelId: string, message: NewMessage): Promise<ChannelMessage> {
    await this.allowed('create', channelId);
    const body: RESTPostAPIChannelMessageJSONBody = {
      content: message.content,
      allowed_mentions: message.mentions ? { parse: [], users: [...message.mentions.users], roles: [...message.mentions.roles] } : { parse: [] },
      ...(message.buttons?.length
        ? {
            components: [
              {
                type: ComponentType.ActionRow,
                components: message.buttons.map((b) => ({
                  type: ComponentType.Button as const,
                  style: ButtonStyle.Secondary as const,
                  custom_id: b.customId,
                  label: b.label,
                  ...(b.emoji ? { emoji: { name: b.emoji } } : {}),
                })),
              },
            ],
          }
        : {}),
      ...(message.nonce !== undefined ? { nonce: message.nonce, enforce_nonce: message.enforceNonce ?? false } : {}),
    };
    return toMessage(await this.call<APIMessage>(() => this.rest.post(Routes.channelMessages(channelId), { body })));
  }

  /**
   * Edits a message after waiting for a token of the channel's edit bucket, like every edit.
   * @see https://discord.com/developers/docs/resources/message#edit-message
   */
  async editMessage(channelId: string, messageId: string, edit: MessageEdit): Promise<ChannelMessage> {
    return (await this.editMessageWhenAllowed(channelId, messageId, async () => edit))!;
  }

  /**
   * Waits for an edit token, *then* asks `prepare` for the edit, so what is sent is as fresh as it can
   * be (the message editor renders the current state there). `prepare` returning null sends nothing
   * (the token is spent) and resolves null. One token per call: callers never take their own.
   */
  async editMessageWhenAllowed(channelId: string, messageId: string, prepare: () => Promise<MessageEdit | null>): Promise<ChannelMessage | null> {
    await this.allowed('edit', channelId);
    const edit = await prepare();
    if (!edit) return null;
    const body: RESTPatchAPIChannelMessageJSONBody = { content: edit.content, allowed_mentions: { parse: [] } };
    return toMessage(await this.call<APIMessage>(() => this.rest.patch(Routes.channelMessage(channelId, messageId), { body })));
  }

  /** @see https://discord.com/developers/docs/resources/message#get-channel-messages */
  async getMessages(channelId: string, query: { limit?: number; before?: string; after?: string } = {}): Promise<ChannelMessage[]> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    return (await this.call<APIMessage[]>(() => this.rest.get(Routes.channelMessages(channelId), { query: params }))).map(toMessage);
  }

  /**
   * The id of the bot's own message among the channel's `limit` latest whose text starts with
   * `prefix`: how a create retried after Discord forgot its nonce finds the first one.
   */
  async findOwnMessage(channelId: string, prefix: string, limit = 50): Promise<string | undefined> {
    return (await this.getMessages(channelId, { limit })).find((m) => m.authorId === this.applicationId && m.content.startsWith(prefix))?.id;
  }

  /**
   * The reactions on a message, one entry per emoji: `emoji` as reaction routes take it (the
   * character, or `name:id` for a custom emoji), how many reacted, and whether the bot is one of them.
   * @see https://discord.com/developers/docs/resources/message#get-channel-message
   */
  async getMessageReactions(channelId: string, messageId: string): Promise<MessageReaction[]> {
    const message = await this.call<APIMessage>(() => this.rest.get(Routes.channelMessage(channelId, messageId)));
    return (message.reactions ?? []).map((r) => ({
      emoji: r.emoji.id ? `${r.emoji.name ?? '_'}:${r.emoji.id}` : (r.emoji.name ?? ''),
      custom: r.emoji.id !== null,
      count: r.count,
      me: r.me,
    }));
  }

  /** @see https://discord.com/developers/docs/resources/message#create-reaction */
  async addOwnReaction(channelId: string, messageId: string, emoji: string): Promise<void> {
    await this.reaction(channelId, () => this.rest.put(Routes.channelMessageOwnReaction(channelId, messageId, encodeURIComponent(emoji))));
  }

  /** @see https://discord.com/developers/docs/resources/message#delete-user-reaction */
  async removeUserReaction(channelId: string, messageId: string, emoji: string, userId: string): Promise<void> {
    await this.reaction(channelId, () => this.rest.delete(Routes.channelMessageUserReaction(channelId, messageId, encodeURIComponent(emoji), userId)));
  }

  /**
   * Every user who reacted with `emoji`, following `after` pages of 100.
   * @see https://discord.com/developers/docs/resources/message#get-reactions
   */
  async getAllReactionUsers(channelId: string, messageId: string, emoji: string): Promise<ReactionUser[]> {
    const users: ReactionUser[] = [];
    let after: string | undefined;
    for (;;) {
      const query = new URLSearchParams({ limit: '100', ...(after ? { after } : {}) });
      const page = await this.call<APIUser[]>(() => this.rest.get(Routes.channelMessageReaction(channelId, messageId, encodeURIComponent(emoji)), { query }));
      users.push(...page.map((u) => ({ id: u.id, bot: u.bot === true })));
      if (page.length < 100) return users;
      after = page.at(-1)!.id;
    }
  }

  /**
   * Opens (or reuses) the DM channel with a user, after a token of the bot's one `dm` bucket, so
   * however many members are told or reminded at once, DMs go out at a pace Discord tolerates.
   * @see https://discord.com/developers/docs/resources/user#create-dm
   */
  async openDirectChannel(userId: string): Promise<string> {
    await this.allowed('dm', this.applicationId);
    return (await this.call<APIChannel>(() => this.rest.post(Routes.userChannels(), { body: { recipient_id: userId } }))).id;
  }

  /** Opens (or reuses) a DM channel and sends `content`; a closed DM fails with code 50007 ({@link isClosedDms}). */
  async sendDirectMessage(userId: string, content: string): Promise<void> {
    await this.createMessage(await this.openDirectChannel(userId), { content });
  }

  /**
   * Interaction webhook (HTTP layer): Discord's types and @discordjs/rest's errors, as the router expects.
   * @see https://discord.com/developers/docs/interactions/receiving-and-responding#edit-original-interaction-response
   */
  async editOriginalResponse(interactionToken: string, body: RESTPatchAPIWebhookWithTokenMessageJSONBody, files?: readonly FileAttachment[]): Promise<APIMessage> {
    return (await this.rest.patch(Routes.webhookMessage(this.applicationId, interactionToken, '@original'), {
      body,
      files: toRawFiles(files),
      auth: false,
    })) as APIMessage;
  }

  /**
   * The first answer to an interaction that came over the gateway (the webhook gives it as its HTTP
   * response instead): once (then 40060), within 3 s of the event (then 10062). Multipart with files.
   * Discord's types and @discordjs/rest's errors, like the other interaction calls.
   * @see https://discord.com/developers/docs/interactions/receiving-and-responding#create-interaction-response
   */
  async createInteractionResponse(interactionId: string, interactionToken: string, body: APIInteractionResponse, files?: readonly FileAttachment[]): Promise<void> {
    await this.rest.post(Routes.interactionCallback(interactionId, interactionToken), { body, files: toRawFiles(files), auth: false });
  }

  /**
   * One member of a guild, or null when the user is not (or no longer) in it (error 10007).
   * Works without the privileged members intent.
   * @see https://discord.com/developers/docs/resources/guild#get-guild-member
   */
  async getGuildMember(guildId: string, userId: string): Promise<FetchedMember | null> {
    try {
      return toFetchedMember(await this.call<APIGuildMember>(() => this.rest.get(Routes.guildMember(guildId, userId))));
    } catch (error) {
      if (error instanceof NotFoundError && (error.resource === 'member' || error.resource === 'user')) return null;
      throw error;
    }
  }

  /**
   * {@link getGuildMember} for background refreshes: waits for a token of the guild's `member`
   * bucket first, so however many members are refreshed, they never crowd out other requests.
   */
  async refetchGuildMember(guildId: string, userId: string): Promise<FetchedMember | null> {
    await this.allowed('member', guildId);
    return this.getGuildMember(guildId, userId);
  }

  /**
   * One custom emoji of a guild, or null when the guild has no such emoji (error 10014).
   * @see https://discord.com/developers/docs/resources/emoji#get-guild-emoji
   */
  async getGuildEmoji(guildId: string, emojiId: string): Promise<GuildEmoji | null> {
    let emoji: APIEmoji;
    try {
      emoji = await this.call<APIEmoji>(() => this.rest.get(Routes.guildEmoji(guildId, emojiId)));
    } catch (error) {
      if (error instanceof NotFoundError && error.resource === 'emoji') return null;
      throw error;
    }
    return { id: emoji.id ?? emojiId, name: emoji.name, animated: emoji.animated === true, available: emoji.available !== false, roles: [...(emoji.roles ?? [])] };
  }

  /** @see https://discord.com/developers/docs/resources/guild#get-guild-roles */
  async getGuildRoles(guildId: string): Promise<RoleInfo[]> {
    return (await this.call<APIRole[]>(() => this.rest.get(Routes.guildRoles(guildId)))).map((r) => ({ id: r.id, name: r.name, position: r.position }));
  }

  /**
   * Interaction webhook (HTTP layer): Discord's types and @discordjs/rest's errors, as the router expects.
   * @see https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message
   */
  async createFollowup(interactionToken: string, body: RESTPostAPIWebhookWithTokenJSONBody, files?: readonly FileAttachment[]): Promise<APIMessage> {
    return (await this.rest.post(Routes.webhook(this.applicationId, interactionToken), {
      body,
      files: toRawFiles(files),
      auth: false,
    })) as APIMessage;
  }
}
