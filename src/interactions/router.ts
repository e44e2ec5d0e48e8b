import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DiscordAPIError } from '@discordjs/rest';
import {
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  RESTJSONErrorCodes,
  type APIInteraction,
  type APIInteractionResponse,
  type APIInteractionResponseCallbackData,
} from 'discord-api-types/v10';
import type { App } from '../app.js';
import { reportStorageFailure, STORAGE_FAILURE_REPLY, UserError } from '../shared/errors.js';
import { toFetchedMember, type FileAttachment } from '../shared/discord/shapes.js';
import { actorOf, CommandOptions, type BaseContext } from './context.js';
import { depsFor, type CommandHandler, type ComponentHandler, type Deps, type Part, type Reply } from './handler.js';

/** Discord waits 3 s for the first answer; past this we defer and edit the answer in later. */
export const DEFAULT_DEFER_AFTER_MS = 2_500;

/**
 * A deferred answer delivered this soon after the deferral can reach Discord before Discord has
 * taken the deferral in (10015 Unknown Webhook / 10008 Unknown Message): it is retried once after this.
 */
export const DEFAULT_DELIVERY_RETRY_MS = 500;

export interface RouterOptions {
  commands: readonly CommandHandler[];
  components: readonly ComponentHandler[];
  deferAfterMs?: number;
  deliveryRetryMs?: number;
}

/** Where a deferred answer goes: editing `@original`, or a new ephemeral (or public) follow-up. */
type Delivery = 'edit-original' | 'follow-up';

/**
 * The first response to an interaction, with the files that go with it. Files come only when the
 * transport can send them in the first response (the callback endpoint, multipart); over the
 * webhook's HTTP response a reply with files is deferred and edited in.
 */
export interface FirstResponse {
  response: APIInteractionResponse;
  files?: FileAttachment[];
}

/** Short id that ties an error reply to its log line. */
function referenceId(): string {
  return randomBytes(4).toString('hex');
}

function toCallbackData(reply: Reply): APIInteractionResponseCallbackData {
  return {
    content: reply.content,
    components: reply.components ?? [],
    // Names in rollcall's text must never ping anyone.
    allowed_mentions: { parse: [] },
    ...(reply.ephemeral === false ? {} : { flags: MessageFlags.Ephemeral }),
  };
}

/**
 * Routes a verified interaction to its handler (commands and autocomplete by name, components by
 * the `custom_id` key) and guarantees Discord an answer in time: a handler still running after
 * `deferAfterMs` gets a deferred response, and its result is delivered by editing `@original`.
 */
export class InteractionRouter {
  private readonly commands = new Map<string, CommandHandler>();
  private readonly components = new Map<string, ComponentHandler>();
  /** Each handler's parts of the app, the ones it names in `uses`, taken once. */
  private readonly deps = new Map<CommandHandler | ComponentHandler, Deps<Part>>();
  private readonly deferAfterMs: number;
  private readonly deliveryRetryMs: number;
  /** Deliveries still running after a deferral; awaited on shutdown and by tests. */
  readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly app: App,
    options: RouterOptions,
  ) {
    for (const c of options.commands) this.commands.set(c.definition.name, c);
    for (const c of options.components) this.components.set(c.key, c);
    for (const h of [...options.commands, ...options.components]) this.deps.set(h, depsFor(app, h.uses));
    this.deferAfterMs = options.deferAfterMs ?? DEFAULT_DEFER_AFTER_MS;
    this.deliveryRetryMs = options.deliveryRetryMs ?? DEFAULT_DELIVERY_RETRY_MS;
  }

  /**
   * The first response to give Discord. `sent` resolves once that response has been written to the
   * socket: a deferred answer is delivered only after it, never racing the deferral itself.
   */
  async handle(interaction: APIInteraction, sent: Promise<void> = Promise.resolve()): Promise<APIInteractionResponse> {
    return (await this.answer(interaction, sent, false)).response;
  }

  /**
   * {@link handle} for any transport. `inlineFiles`: the first response may carry files (the
   * callback endpoint takes multipart), so a quick reply with files is not deferred for them.
   */
  async answer(interaction: APIInteraction, sent: Promise<void>, inlineFiles: boolean): Promise<FirstResponse> {
    switch (interaction.type) {
      case InteractionType.Ping:
        return { response: { type: InteractionResponseType.Pong } };
      case InteractionType.ApplicationCommand:
        return this.command(interaction, sent, inlineFiles);
      case InteractionType.ApplicationCommandAutocomplete:
        return { response: await this.autocomplete(interaction) };
      case InteractionType.MessageComponent:
        return this.component(interaction, sent, inlineFiles);
      default:
        this.app.log.warn({ type: interaction.type }, 'interaction type not handled');
        return this.message({ content: 'rollcall does not handle that kind of interaction.' });
    }
  }

  /** Resolves once every deferred delivery has been attempted. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private base(interaction: Parameters<typeof actorOf>[0]): BaseContext {
    const actor = actorOf(interaction);
    // Every interaction carries the member (name, roles): refresh the member cache for free.
    if (interaction.guild_id && interaction.member?.user) {
      this.app.members.remember(interaction.guild_id, toFetchedMember(interaction.member)).catch((error: unknown) => this.app.log.warn({ err: error }, 'could not remember member'));
    }
    return {
      log: this.app.log.child({ interaction: interaction.id, user: actor.userId }),
      guildId: interaction.guild_id ?? null,
      channelId: interaction.channel?.id ?? null,
      actor,
    };
  }

  private async command(interaction: APIInteraction & { type: InteractionType.ApplicationCommand }, sent: Promise<void>, inlineFiles: boolean): Promise<FirstResponse> {
    const name = interaction.data.name;
    const handler = this.commands.get(name);
    if (!handler || !('options' in interaction.data || interaction.data.type === 1)) {
      this.app.log.warn({ command: name }, 'unknown command');
      return this.message({ content: `I don't know the command \`/${name}\`. It may have been removed; ask an admin to run \`npm run register\`.` });
    }
    const chat = interaction as Parameters<CommandHandler['execute']>[0]['interaction'];
    const base = this.base(chat);
    if (!base.guildId) return this.message({ content: 'rollcall works inside a server, not in DMs.' });
    const options = new CommandOptions(chat);
    const work = () => handler.execute({ ...base, interaction: chat, options }, this.deps.get(handler)!);
    const deferNow = handler.defer === 'always' || (typeof handler.defer === 'object' && options.subcommand !== null && handler.defer.subcommands.includes(options.subcommand));
    return this.run(work, base, {
      token: interaction.token,
      deferType: InteractionResponseType.DeferredChannelMessageWithSource,
      ephemeral: handler.ephemeral ?? true,
      what: `/${name}`,
      sent,
      inlineFiles,
      deferNow,
      delivery: () => 'edit-original',
    });
  }

  private async component(interaction: APIInteraction & { type: InteractionType.MessageComponent }, sent: Promise<void>, inlineFiles: boolean): Promise<FirstResponse> {
    const customId = interaction.data.custom_id;
    const colon = customId.indexOf(':');
    const key = colon === -1 ? customId : customId.slice(0, colon);
    const handler = this.components.get(key);
    if (!handler) {
      this.app.log.warn({ customId }, 'unknown component');
      return this.message({ content: 'This control is from an older version of rollcall and no longer works. Run the command again.' });
    }
    const base = this.base(interaction);
    const values = 'values' in interaction.data ? interaction.data.values : [];
    const ctx = { ...base, interaction, payload: colon === -1 ? '' : customId.slice(colon + 1), values, messageId: interaction.message.id };
    return this.run(() => handler.execute(ctx, this.deps.get(handler)!), base, {
      token: interaction.token,
      deferType: InteractionResponseType.DeferredMessageUpdate,
      ephemeral: true,
      what: `component ${key}`,
      sent,
      inlineFiles,
      deferNow: false,
      // After DEFERRED_UPDATE_MESSAGE, `@original` is the message the component is on: only an
      // `update` reply may replace it; anything else (an answer, an error) is a follow-up.
      delivery: (reply) => (reply.update ? 'edit-original' : 'follow-up'),
    });
  }

  private async autocomplete(interaction: APIInteraction & { type: InteractionType.ApplicationCommandAutocomplete }): Promise<APIInteractionResponse> {
    const handler = this.commands.get(interaction.data.name);
    let choices: Awaited<ReturnType<NonNullable<CommandHandler['autocomplete']>>> = [];
    // Reading the options is inside the try too: whatever a payload holds, autocomplete answers
    // an empty list rather than a 500.
    try {
      const options = new CommandOptions(interaction);
      const focused = options.focused();
      if (handler?.autocomplete && focused) choices = (await handler.autocomplete({ ...this.base(interaction), options, focused }, this.deps.get(handler)!)).slice(0, 25);
    } catch (error) {
      this.app.log.error({ err: error, command: interaction.data.name }, 'autocomplete failed');
      choices = [];
    }
    return { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices } };
  }

  private message(reply: Reply, inlineFiles = false): FirstResponse {
    const response: APIInteractionResponse = { type: reply.update ? InteractionResponseType.UpdateMessage : InteractionResponseType.ChannelMessageWithSource, data: toCallbackData(reply) };
    return inlineFiles && reply.files?.length ? { response, files: reply.files } : { response };
  }

  /**
   * Runs a handler against Discord's 3-second deadline. Replies with files go through the webhook
   * (deferred) unless the transport sends them with the first response (`inlineFiles`); `deferNow` defers
   * before the handler has had any chance (commands declared `defer: 'always'`). A deferred answer
   * is delivered once the deferral has been sent.
   */
  private async run(
    work: () => Promise<Reply>,
    base: BaseContext,
    o: {
      token: string;
      deferType: InteractionResponseType.DeferredChannelMessageWithSource | InteractionResponseType.DeferredMessageUpdate;
      ephemeral: boolean;
      what: string;
      sent: Promise<void>;
      inlineFiles: boolean;
      deferNow: boolean;
      delivery: (reply: Reply) => Delivery;
    },
  ): Promise<FirstResponse> {
    const outcome = work().then(
      (reply) => ({ reply }),
      (error: unknown) => ({ reply: this.failure(error, base, o.what) }),
    );
    if (!o.deferNow) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'defer'>((resolve) => {
        timer = setTimeout(() => resolve('defer'), this.deferAfterMs);
      });
      const first = await Promise.race([outcome, deadline]);
      clearTimeout(timer);
      if (first !== 'defer' && (o.inlineFiles || !first.reply.files?.length)) return this.message(first.reply, o.inlineFiles);
    }

    base.log.info({ what: o.what, deferred: true }, 'answer deferred');
    const delivery = Promise.all([outcome, o.sent])
      .then(([{ reply }]) => this.deliver(o.token, reply, o.delivery(reply)))
      .catch((error: unknown) => base.log.error({ err: error, what: o.what }, 'could not deliver deferred answer'))
      .finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
    return {
      response: o.deferType === InteractionResponseType.DeferredChannelMessageWithSource ? { type: o.deferType, data: o.ephemeral ? { flags: MessageFlags.Ephemeral } : {} } : { type: o.deferType },
    };
  }

  /**
   * Delivers a deferred answer through the interaction webhook. Discord may not have taken the
   * deferral in yet when it arrives (10015 / 10008): one retry after a short delay.
   * @see https://discord.com/developers/docs/interactions/receiving-and-responding#edit-original-interaction-response
   * @see https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message
   */
  private async deliver(token: string, reply: Reply, how: Delivery): Promise<void> {
    const data = toCallbackData(reply);
    const send = () =>
      how === 'edit-original'
        ? this.app.discord.editOriginalResponse(token, { content: data.content, components: data.components, allowed_mentions: data.allowed_mentions }, reply.files)
        : this.app.discord.createFollowup(
            token,
            { content: data.content, components: data.components, allowed_mentions: data.allowed_mentions, ...(data.flags ? { flags: data.flags } : {}) },
            reply.files,
          );
    try {
      await send();
    } catch (error) {
      if (!notYetAcknowledged(error)) throw error;
      this.app.log.warn({ code: (error as DiscordAPIError).code, retryInMs: this.deliveryRetryMs }, 'deferred answer arrived before the deferral; retrying once');
      await sleep(this.deliveryRetryMs);
      await send();
    }
  }

  private failure(error: unknown, base: BaseContext, what: string): Reply {
    if (error instanceof UserError) return { content: error.message };
    // A full disk or read-only database: a clear answer, and one log line for the whole outage.
    if (reportStorageFailure(base.log, error, what)) return { content: STORAGE_FAILURE_REPLY };
    const ref = referenceId();
    base.log.error({ err: error, ref, what }, 'handler failed');
    return { content: `Something went wrong on my side. If it keeps happening, tell an admin the reference \`${ref}\`.` };
  }
}

/** Discord answering as if the interaction had not been acknowledged yet. */
function notYetAcknowledged(error: unknown): boolean {
  return error instanceof DiscordAPIError && (error.code === RESTJSONErrorCodes.UnknownWebhook || error.code === RESTJSONErrorCodes.UnknownMessage);
}
