import { InteractionResponseType, InteractionType, type APIInteraction, type APIInteractionResponse } from 'discord-api-types/v10';

/** The command names and component keys rollcall serves: the only names a label may carry. */
export interface KnownNames {
  commands: ReadonlySet<string>;
  components: ReadonlySet<string>;
}

/**
 * The metric label; reads `data` defensively (the route checks the shape first, but a label must
 * never throw). A name rollcall does not serve becomes `?`: every distinct label is a series kept
 * for the life of the process (a counter and a dozen histogram buckets), so names taken from
 * payloads would let random command names or `custom_id`s grow memory without bound.
 */
export function typeLabel(interaction: APIInteraction, known: KnownNames): string {
  const data = (interaction as { data?: { name?: unknown; custom_id?: unknown } }).data;
  const name = typeof data?.name === 'string' && known.commands.has(data.name) ? data.name : '?';
  const rawKey = typeof data?.custom_id === 'string' ? (data.custom_id.split(':')[0] ?? '') : '';
  const key = known.components.has(rawKey) ? rawKey : '?';
  switch (interaction.type) {
    case InteractionType.Ping:
      return 'ping';
    case InteractionType.ApplicationCommand:
      return `command:${name}`;
    case InteractionType.ApplicationCommandAutocomplete:
      return `autocomplete:${name}`;
    case InteractionType.MessageComponent:
      return `component:${key}`;
    case InteractionType.ModalSubmit:
      return `modal:${key}`;
    default:
      return 'other';
  }
}

/** `deferred` or `answered`: what the first response told Discord. */
export function outcomeOf(response: APIInteractionResponse): 'deferred' | 'answered' {
  const deferred = response.type === InteractionResponseType.DeferredChannelMessageWithSource || response.type === InteractionResponseType.DeferredMessageUpdate;
  return deferred ? 'deferred' : 'answered';
}
