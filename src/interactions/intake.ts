import type { App } from '../app.js';
import { commands as defaultCommands, components as defaultComponents } from './commands/index.js';
import type { CommandHandler, ComponentHandler } from './handler.js';
import type { KnownNames } from './labels.js';
import { optionValuesError, type DeclaredCommand } from './option-values.js';
import { InteractionRouter } from './router.js';
import { interactionShapeError } from './shape.js';

export interface IntakeOptions {
  commands?: readonly CommandHandler[];
  components?: readonly ComponentHandler[];
  deferAfterMs?: number;
}

/**
 * Where every interaction enters, whichever way it came (the signed webhook or INTERACTION_CREATE on
 * the gateway): the payload's shape and option values are checked against the declared commands,
 * then the one {@link InteractionRouter} answers it. Neither transport has its own copy.
 */
export class InteractionIntake {
  readonly router: InteractionRouter;
  /** The command names and component keys served: the only names a metric label may carry. */
  readonly known: KnownNames;
  /** The registrations `npm run register` sends: every option value is checked against them. */
  private readonly declared: Map<string, DeclaredCommand>;

  constructor(app: App, options: IntakeOptions = {}) {
    const commands = options.commands ?? defaultCommands;
    const components = options.components ?? defaultComponents;
    this.declared = new Map(commands.map((c) => [c.definition.name, c.definition as DeclaredCommand]));
    this.known = { commands: new Set(this.declared.keys()), components: new Set(components.map((c) => c.key)) };
    this.router = new InteractionRouter(app, { commands, components, deferAfterMs: options.deferAfterMs });
  }

  /**
   * What is wrong with a parsed payload (its shape, then its option values), or null. Refused before
   * any handler: the webhook answers 400, the gateway an ephemeral message naming the problem.
   */
  problem(parsed: unknown): string | null {
    return interactionShapeError(parsed) ?? optionValuesError(parsed, this.declared);
  }
}
