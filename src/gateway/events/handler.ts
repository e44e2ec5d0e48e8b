import type { GatewayDispatchEvents, GatewayDispatchPayload } from 'discord-api-types/v10';
import type { Deps, Part } from '../../app.js';

/**
 * One gateway event: its name, the parts of the app it uses, and how it becomes a service call. It
 * gets exactly the parts it names. One file per event.
 */
export interface EventHandler<T extends GatewayDispatchPayload = GatewayDispatchPayload, K extends Part = Part> {
  event: `${GatewayDispatchEvents}`;
  uses: readonly K[];
  handle(deps: Deps<K>, payload: T): unknown;
}

/** A repair after a new (non-resumed) session; false when it did not finish for a reason that may pass. */
export interface FreshSessionRepair<K extends Part = Part> {
  uses: readonly K[];
  run(deps: Deps<K>): Promise<boolean>;
}
