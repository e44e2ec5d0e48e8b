import { performance } from 'node:perf_hooks';
import { InteractionResponseType, InteractionType, MessageFlags, type APIInteraction, type APIInteractionResponse } from 'discord-api-types/v10';
import type { App } from '../app.js';
import type { InteractionIntake } from '../interactions/intake.js';
import { outcomeOf, typeLabel } from '../interactions/labels.js';
import { metrics } from '../shared/metrics.js';

/**
 * Slash commands, components and autocomplete that arrive as INTERACTION_CREATE (`INTERACTIONS=gateway`:
 * the application has no Interactions Endpoint URL, so Discord sends them on the bot's gateway
 * connection; no intent is needed). Each goes to the same intake and router as the webhook's, and
 * its first response goes to `POST /interactions/{id}/{token}/callback` (multipart with files)
 * within Discord's 3 seconds; deferrals, edits of `@original` and follow-ups are the router's, as
 * for the webhook.
 *
 * Interactions are not put in the shard's in-order queue: a member is waiting, and the queue may be
 * busy for seconds (a reconcile after a new session); nor may a slow command hold up reactions.
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#receiving-an-interaction
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#create-interaction-response
 */
export class GatewayInteractions {
  /** First responses still being worked out or sent; awaited by `settle` (tests, shutdown). */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly app: App,
    readonly intake: InteractionIntake,
  ) {}

  /** Takes one INTERACTION_CREATE's `d` (the interaction object) and answers it in the background. */
  receive(payload: unknown): void {
    const work: Promise<void> = this.answer(payload).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
  }

  /** Resolves once every interaction received so far is answered and its deferred delivery attempted. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.intake.router.settle();
  }

  private async answer(payload: unknown): Promise<void> {
    const started = performance.now();
    const problem = this.intake.problem(payload);
    if (problem) return this.refuse(payload, problem);
    const interaction = payload as APIInteraction;
    const type = typeLabel(interaction, this.intake.known);
    // A deferred answer goes out only once Discord holds the deferral (as the webhook waits for its response to be written).
    let markSent!: () => void;
    const sent = new Promise<void>((resolve) => (markSent = resolve));
    let outcome = 'error';
    try {
      const first = await this.intake.router.answer(interaction, sent, true);
      await this.app.discord.createInteractionResponse(interaction.id, interaction.token, first.response, first.files);
      outcome = outcomeOf(first.response);
    } catch (error) {
      this.app.log.error({ err: error, interaction: interaction.id, type }, 'could not answer an interaction over the callback endpoint');
    } finally {
      markSent();
      metrics.interactions.inc({ type, outcome });
      metrics.interactionSeconds.observe((performance.now() - started) / 1000, { type });
    }
  }

  /**
   * A payload the router cannot read. The webhook answers such a request 400 (Discord then shows
   * "This interaction failed"); here, when the id and token are there, the member is told what was
   * wrong instead.
   */
  private async refuse(payload: unknown, problem: string): Promise<void> {
    this.app.log.warn({ reason: problem }, 'interaction refused: malformed');
    metrics.interactions.inc({ type: 'unknown', outcome: 'malformed' });
    const p = (typeof payload === 'object' && payload !== null ? payload : {}) as { id?: unknown; token?: unknown; type?: unknown };
    if (typeof p.id !== 'string' || typeof p.token !== 'string') return;
    const response: APIInteractionResponse =
      p.type === InteractionType.ApplicationCommandAutocomplete
        ? { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: [] } }
        : {
            type: InteractionResponseType.ChannelMessageWithSource,
            data: { content: `I could not read that interaction: ${problem}.`, flags: MessageFlags.Ephemeral, allowed_mentions: { parse: [] } },
          };
    await this.app.discord.createInteractionResponse(p.id, p.token, response).catch((error: unknown) => this.app.log.warn({ err: error }, 'could not answer a malformed interaction'));
  }
}
