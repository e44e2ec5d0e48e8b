import { ApplicationIntegrationType, InteractionContextType } from 'discord-api-types/v10';
import type {
  APIActionRowComponent,
  APIComponentInMessageActionRow,
  APIApplicationCommandOptionChoice,
  APIChatInputApplicationCommandInteraction,
  APIMessageComponentInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import type { Deps, Part } from '../app.js';

export { depsFor, type Deps, type Part } from '../app.js';
import type { FileAttachment } from '../shared/discord/shapes.js';
import type { BaseContext, CommandOptions } from './context.js';

/** What a handler answers; the router turns it into Discord's interaction response. */
export interface Reply {
  content: string;
  /** Only the member who asked sees it. Default: true — rollcall's replies are personal. */
  ephemeral?: boolean;
  components?: APIActionRowComponent<APIComponentInMessageActionRow>[];
  files?: FileAttachment[];
  /** For components: edit the message the component is on instead of sending a new one. */
  update?: boolean;
}

export interface CommandContext extends BaseContext {
  interaction: APIChatInputApplicationCommandInteraction;
  options: CommandOptions;
}

export interface ComponentContext extends BaseContext {
  interaction: APIMessageComponentInteraction;
  /** The part of `custom_id` after `key:`. */
  payload: string;
  /** Picked values of a select menu; empty for buttons. */
  values: string[];
  messageId: string;
}

export interface AutocompleteContext extends BaseContext {
  options: CommandOptions;
  focused: { name: string; value: string };
}

/** One slash command: its registration payload, the parts it uses, and its handler, side by side. */
export interface CommandHandler<K extends Part = Part> {
  definition: RESTPostAPIChatInputApplicationCommandsJSONBody;
  uses: readonly K[];
  execute(ctx: CommandContext, deps: Deps<K>): Promise<Reply>;
  autocomplete?(ctx: AutocompleteContext, deps: Deps<K>): Promise<APIApplicationCommandOptionChoice[]>;
  /** Whether a deferred answer is ephemeral; must be decided before the handler finishes. Default true. */
  ephemeral?: boolean;
  /**
   * Defer at once (the member sees "thinking…" immediately) instead of racing the handler against
   * the 2.5 s deadline: for answers that always go through the webhook (files) or are always slow.
   * `{ subcommands }` limits it to those subcommands. Default: race.
   */
  defer?: 'always' | { subcommands: readonly string[] };
}

/**
 * A message component, found by the `key` before the first `:` of its `custom_id`. The payload
 * after it carries everything the handler needs, so components keep working after a restart.
 */
export interface ComponentHandler<K extends Part = Part> {
  key: string;
  uses: readonly K[];
  execute(ctx: ComponentContext, deps: Deps<K>): Promise<Reply>;
}

/** Builds a `custom_id` the router can route: `key:payload`, at most 100 characters (Discord's limit). */
export function customId(key: string, payload: string): string {
  const id = `${key}:${payload}`;
  if (id.length > 100) throw new Error(`custom_id longer than 100 characters: ${id}`);
  return id;
}

/**
 * Where rollcall's commands exist: installed in a server, used in a server (never in DMs).
 * @see https://discord.com/developers/docs/interactions/application-commands#interaction-contexts
 */
export const IN_GUILDS_ONLY = {
  contexts: [InteractionContextType.Guild],
  integration_types: [ApplicationIntegrationType.GuildInstall],
};
