/**
 * Interactions the emulator sent and what the bot did with them: the initial response (HTTP body or
 * callback endpoint), edits of `@original`, follow-ups. Mirrors Discord's rules: one initial
 * response, 3 s to give it, the token valid for 15 minutes, a deferred response's first follow-up
 * replaces the "thinking" message.
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#responding-to-an-interaction
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#followup-messages
 */
import { EventEmitter } from 'node:events';
import { InteractionResponseType, InteractionType } from 'discord-api-types/v10';
import { DiscordError, alreadyAcknowledged, fieldError, invalidFormBody, unknownInteraction, unknownMessage, unknownWebhook } from '../errors.js';
import { EPHEMERAL, LOADING, createMessage, editMessage } from '../state/messages.js';
import type { MessageInput, UploadedFile } from '../state/validate.js';
import type { MessageRecord, World } from '../state/world.js';

export interface InteractionRecord {
  id: string;
  token: string;
  type: InteractionType;
  guildId: string | null;
  channelId: string;
  userId: string;
  /** Command name (commands, autocomplete). */
  name?: string;
  commandType?: number;
  /** Component custom_id and the message it sits on. */
  customId?: string;
  componentMessageId?: string;
  createdAt: number;
  payload: Record<string, unknown>;
  /** The initial response, once given. */
  response: { type: number; data?: unknown; via: 'http' | 'callback' } | null;
  /** Why the last initial response on the callback route was refused (Discord's error), if one was. */
  refusedCallback?: string;
  /** The message `@original` refers to (response message, or the component's message). */
  originalMessageId: string | null;
  followupIds: string[];
}

export interface InteractionTimings {
  /** Time to give the initial response (Discord: 3 s). */
  callbackWindowMs: number;
  /** How long the token works for follow-ups and edits (Discord: 15 min). */
  tokenTtlMs: number;
}

const invalidResponseType = () => invalidFormBody(fieldError(['type'], 'INTERACTION_RESPONSE_TYPE_INVALID', 'Interaction response type is not valid for this interaction.'));

export class InteractionStore extends EventEmitter {
  readonly #byId = new Map<string, InteractionRecord>();
  readonly #byToken = new Map<string, InteractionRecord>();

  constructor(
    private readonly world: World,
    readonly timings: InteractionTimings,
  ) {
    super();
    this.setMaxListeners(1000);
  }

  add(record: InteractionRecord): void {
    this.#byId.set(record.id, record);
    this.#byToken.set(record.token, record);
  }

  get(id: string): InteractionRecord | undefined {
    return this.#byId.get(id);
  }

  /** For the callback route: the interaction, if the id/token pair is known and still in its window. */
  forCallback(id: string, token: string): InteractionRecord {
    const record = this.#byId.get(id);
    if (!record || record.token !== token || Date.now() - record.createdAt > this.timings.callbackWindowMs) throw unknownInteraction();
    return record;
  }

  /** A callback the route refused: the member's client would show "This interaction failed". */
  refuse(record: InteractionRecord, error: DiscordError): void {
    record.refusedCallback = `${error.code} ${error.message}${error.errors ? ` ${JSON.stringify(error.errors)}` : ''}`;
    this.emit('change', record);
  }

  /** For webhook routes: the interaction behind an application id + token. */
  forWebhook(applicationId: string, token: string): InteractionRecord {
    const record = this.#byToken.get(token);
    if (!record || applicationId !== this.world.application.id) throw unknownWebhook();
    if (Date.now() - record.createdAt > this.timings.tokenTtlMs) throw new DiscordError(401, 50027, 'Invalid Webhook Token');
    return record;
  }

  /** Applies the initial response (type 4–9). Throws 40060 when one was already given. */
  respond(record: InteractionRecord, body: { type?: unknown; data?: unknown }, files: UploadedFile[], via: 'http' | 'callback'): void {
    if (record.response) throw alreadyAcknowledged();
    const type = body.type;
    const data = (body.data ?? {}) as MessageInput & Record<string, unknown>;
    const isComponent = record.type === InteractionType.MessageComponent || (record.type === InteractionType.ModalSubmit && record.componentMessageId !== undefined);
    const isAutocomplete = record.type === InteractionType.ApplicationCommandAutocomplete;
    if (typeof type !== 'number') throw invalidFormBody(fieldError(['type'], 'BASE_TYPE_REQUIRED', 'This field is required'));
    if (isAutocomplete !== (type === InteractionResponseType.ApplicationCommandAutocompleteResult)) throw invalidResponseType();
    switch (type) {
      case InteractionResponseType.ChannelMessageWithSource: {
        const { message } = this.#createResponseMessage(record, data, files, 0);
        record.originalMessageId = message.id;
        break;
      }
      case InteractionResponseType.DeferredChannelMessageWithSource: {
        const { message } = this.#createResponseMessage(record, { flags: data.flags ?? 0 }, [], LOADING, true);
        record.originalMessageId = message.id;
        break;
      }
      case InteractionResponseType.DeferredMessageUpdate:
        if (!isComponent) throw invalidResponseType();
        record.originalMessageId = record.componentMessageId ?? null;
        break;
      case InteractionResponseType.UpdateMessage: {
        if (!isComponent || !record.componentMessageId) throw invalidResponseType();
        const message = this.world.findMessage(record.componentMessageId);
        editMessage(this.world, message, data, files);
        record.originalMessageId = message.id;
        break;
      }
      case InteractionResponseType.ApplicationCommandAutocompleteResult: {
        const choices = (data as { choices?: unknown }).choices;
        if (!Array.isArray(choices)) throw invalidFormBody(fieldError(['data', 'choices'], 'BASE_TYPE_REQUIRED', 'This field is required'));
        if (choices.length > 25) throw invalidFormBody(fieldError(['data', 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.'));
        break;
      }
      case InteractionResponseType.Modal: {
        if (record.type === InteractionType.ModalSubmit) throw invalidResponseType();
        const modal = data as { custom_id?: unknown; title?: unknown; components?: unknown };
        if (typeof modal.custom_id !== 'string' || typeof modal.title !== 'string' || !Array.isArray(modal.components)) {
          throw invalidFormBody(fieldError(['data'], 'BASE_TYPE_REQUIRED', 'custom_id, title and components are required'));
        }
        break;
      }
      default:
        throw invalidResponseType();
    }
    record.response = { type, data: body.data, via };
    this.emit('change', record);
  }

  #createResponseMessage(record: InteractionRecord, data: MessageInput, files: UploadedFile[], extraFlags: number, skipValidation = false) {
    const isCommand = record.type === InteractionType.ApplicationCommand;
    const ephemeral = ((data.flags ?? 0) & EPHEMERAL) !== 0;
    const interaction = {
      id: record.id,
      type: record.type,
      name: record.name ?? '',
      userId: record.userId,
      ...(record.commandType !== undefined ? { commandType: record.commandType } : {}),
    };
    return createMessage(this.world, {
      channelId: record.channelId,
      authorId: this.world.botUserId,
      input: data,
      files,
      type: isCommand ? (record.commandType === 1 ? 20 : 23) : 0,
      webhookId: this.world.application.id,
      interaction,
      allowEphemeral: true,
      ephemeralFor: ephemeral ? record.userId : null,
      extraFlags,
      skipValidation,
    });
  }

  /** The message `@original` refers to (10008 before there is one). */
  original(record: InteractionRecord): MessageRecord {
    if (!record.originalMessageId) throw unknownMessage();
    const message = this.world.messages.get(record.originalMessageId);
    if (!message) throw unknownMessage();
    return message;
  }

  /** A message this interaction's webhook may touch: `@original` or one of its follow-ups. */
  webhookMessage(record: InteractionRecord, messageId: string): MessageRecord {
    if (messageId === '@original') return this.original(record);
    if (messageId === record.originalMessageId || record.followupIds.includes(messageId)) {
      const message = this.world.messages.get(messageId);
      if (message) return message;
    }
    throw unknownMessage();
  }

  /** Edits a webhook message; editing a deferred original clears its loading state. */
  edit(record: InteractionRecord, messageId: string, input: MessageInput, files: UploadedFile[]): MessageRecord {
    const message = this.webhookMessage(record, messageId);
    editMessage(this.world, message, input, files, { clearFlags: LOADING });
    this.emit('change', record);
    return message;
  }

  /** A follow-up; the first one after a deferred response replaces the "thinking" message. */
  followup(record: InteractionRecord, input: MessageInput, files: UploadedFile[]): MessageRecord {
    if (!record.response) throw new DiscordError(404, 10015, 'Unknown Webhook');
    const original = record.originalMessageId ? this.world.messages.get(record.originalMessageId) : undefined;
    if (original && (original.flags & LOADING) !== 0 && record.response.type === InteractionResponseType.DeferredChannelMessageWithSource) {
      return this.edit(record, original.id, input, files);
    }
    const { message } = this.#createResponseMessage(record, input, files, 0);
    record.followupIds.push(message.id);
    this.emit('change', record);
    return message;
  }

  /** Resolves once `done(record)` holds (checked now and on every change), or rejects after `timeoutMs`. */
  waitFor<T>(record: InteractionRecord, done: (r: InteractionRecord) => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        let value: T | undefined;
        try {
          value = done(record);
        } catch (error) {
          cleanup();
          reject(error);
          return;
        }
        if (value !== undefined) {
          cleanup();
          resolve(value);
        }
      };
      const onChange = (r: InteractionRecord) => {
        if (r === record) check();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`interaction ${record.id} (${record.name ?? record.customId ?? ''}) did not reach its final state within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('change', onChange);
      };
      this.on('change', onChange);
      check();
    });
  }
}
