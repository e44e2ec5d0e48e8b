import { randomBytes } from 'node:crypto';
import {
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  type APIInteraction,
  type APIInteractionResponse,
  type APIInteractionResponseCallbackData,
} from 'discord-api-types/v10';
import type { App } from '../shared/app.js';
import { UserError } from '../shared/errors.js';
import { toFetchedMember } from '../shared/discord/rest.js';
import { actorOf, CommandOptions, type BaseContext } from './context.js';
import type { CommandHandler, ComponentHandler, Reply } from './handler.js';

/** Discord waits 3 s for the first answer; past this we defer and edit the answer in later. */
export const DEFAULT_DEFER_AFTER_MS = 2_500;

export interface RouterOptions {
  commands: readonly CommandHandler[];
  components: readonly ComponentHandler[];
  deferAfterMs?: number;
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
  private readonly deferAfterMs: number;
  /** Deliveries still running after a deferral; awaited on shutdown and by tests. */
  readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly app: App,
    options: RouterOptions,
  ) {
    for (const c of options.commands) this.commands.set(c.definition.name, c);
    for (const c of options.components) this.components.set(c.key, c);
    this.deferAfterMs = options.deferAfterMs ?? DEFAULT_DEFER_AFTER_MS;
  }

  async handle(interaction: APIInteraction): Promise<APIInteractionResponse> {
    switch (interaction.type) {
      case InteractionType.Ping:
        return { type: InteractionResponseType.Pong };
      case InteractionType.ApplicationCommand:
        return this.command(interaction);
      case InteractionType.ApplicationCommandAutocomplete:
        return this.autocomplete(interaction);
      case InteractionType.MessageComponent:
        return this.component(interaction);
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
      app: this.app,
      log: this.app.log.child({ interaction: interaction.id, user: actor.userId }),
      guildId: interaction.guild_id ?? null,
      channelId: interaction.channel?.id ?? null,
      actor,
    };
  }

  private async command(interaction: APIInteraction & { type: InteractionType.ApplicationCommand }): Promise<APIInteractionResponse> {
    const name = interaction.data.name;
    const handler = this.commands.get(name);
    if (!handler || !('options' in interaction.data || interaction.data.type === 1)) {
      this.app.log.warn({ command: name }, 'unknown command');
      return this.message({ content: `I don't know the command \`/${name}\`. It may have been removed; ask an admin to run \`npm run register\`.` });
    }
    const chat = interaction as Parameters<CommandHandler['execute']>[0]['interaction'];
    const base = this.base(chat);
    if (!base.guildId) return this.message({ content: 'rollcall works inside a server, not in DMs.' });
    const work = () => handler.execute({ ...base, interaction: chat, options: new CommandOptions(chat) });
    return this.run(work, base, interaction.token, InteractionResponseType.DeferredChannelMessageWithSource, handler.ephemeral ?? true, `/${name}`);
  }

  private async component(interaction: APIInteraction & { type: InteractionType.MessageComponent }): Promise<APIInteractionResponse> {
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
    return this.run(() => handler.execute(ctx), base, interaction.token, InteractionResponseType.DeferredMessageUpdate, true, `component ${key}`);
  }

  private async autocomplete(
    interaction: APIInteraction & { type: InteractionType.ApplicationCommandAutocomplete },
  ): Promise<APIInteractionResponse> {
    const handler = this.commands.get(interaction.data.name);
    const options = new CommandOptions(interaction);
    const focused = options.focused();
    let choices: Awaited<ReturnType<NonNullable<CommandHandler['autocomplete']>>> = [];
    if (handler?.autocomplete && focused) {
      try {
        choices = (await handler.autocomplete({ ...this.base(interaction), options, focused })).slice(0, 25);
      } catch (error) {
        this.app.log.error({ err: error, command: interaction.data.name }, 'autocomplete failed');
      }
    }
    return { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices } };
  }

  private message(reply: Reply): APIInteractionResponse {
    return { type: reply.update ? InteractionResponseType.UpdateMessage : InteractionResponseType.ChannelMessageWithSource, data: toCallbackData(reply) };
  }

  /**
   * Runs a handler against Discord's 3-second deadline. Replies with files always go through the
   * webhook (an HTTP response cannot carry attachments), so they are deferred at once.
   */
  private async run(
    work: () => Promise<Reply>,
    base: BaseContext,
    token: string,
    deferType: InteractionResponseType.DeferredChannelMessageWithSource | InteractionResponseType.DeferredMessageUpdate,
    ephemeral: boolean,
    what: string,
  ): Promise<APIInteractionResponse> {
    const outcome = work().then(
      (reply) => ({ reply }),
      (error: unknown) => ({ reply: this.failure(error, base, what) }),
    );
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'defer'>((resolve) => {
      timer = setTimeout(() => resolve('defer'), this.deferAfterMs);
    });
    const first = await Promise.race([outcome, deadline]);
    clearTimeout(timer);
    if (first !== 'defer' && !first.reply.files?.length) return this.message(first.reply);

    base.log.info({ what, deferred: true }, 'answer deferred');
    const delivery = outcome
      .then(async ({ reply }) => {
        const data = toCallbackData(reply);
        await this.app.discord.editOriginalResponse(token, { content: data.content, components: data.components, allowed_mentions: data.allowed_mentions }, reply.files);
      })
      .catch((error: unknown) => base.log.error({ err: error, what }, 'could not deliver deferred answer'))
      .finally(() => this.pending.delete(delivery));
    this.pending.add(delivery);
    return deferType === InteractionResponseType.DeferredChannelMessageWithSource
      ? { type: deferType, data: ephemeral ? { flags: MessageFlags.Ephemeral } : {} }
      : { type: deferType };
  }

  private failure(error: unknown, base: BaseContext, what: string): Reply {
    if (error instanceof UserError) return { content: error.message };
    const ref = referenceId();
    base.log.error({ err: error, ref, what }, 'handler failed');
    return { content: `Something went wrong on my side. If it keeps happening, tell an admin the reference \`${ref}\`.` };
  }
}
