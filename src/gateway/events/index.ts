import type { GatewayDispatchPayload } from 'discord-api-types/v10';
import type { App } from '../../shared/app.js';

/** Dispatch handlers by event name; each translates a payload into a service call. */
export function dispatchHandlers(app: App) {
  const byName: Partial<Record<GatewayDispatchPayload['t'], (payload: GatewayDispatchPayload) => unknown>> = {};
  return {
    async dispatch(payload: GatewayDispatchPayload) {
      await byName[payload.t]?.(payload);
    },
    async onFreshSession() {
      app.log.debug('fresh gateway session: nothing to reconcile yet');
    },
  };
}
