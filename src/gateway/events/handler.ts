import type { GatewayDispatchEvents, GatewayDispatchPayload } from 'discord-api-types/v10';
import type { App } from '../../shared/app.js';

/** One gateway event: its name and how it becomes a service call. One file per event. */
export interface EventHandler<T extends GatewayDispatchPayload = GatewayDispatchPayload> {
  event: `${GatewayDispatchEvents}`;
  handle(app: App, payload: T): unknown;
}
