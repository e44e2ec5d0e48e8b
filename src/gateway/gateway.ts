import type { IIdentifyThrottler } from '@discordjs/ws';
import type { App } from '../app.js';
import { GatewayShard } from './shard.js';
import { dispatchHandlers } from './events/index.js';
import { watchConnection } from './voice-lifecycle.js';
import { attachVoiceGreeting } from '../voice/attach.js';
import type { GatewayInteractions } from './interactions.js';

/**
 * Builds the shard for `app`: dispatches go to the handlers in `events/`, by event name;
 * INTERACTION_CREATE to `interactions` (`INTERACTIONS=gateway`).
 */
export function createGateway(app: App, options: { identifyThrottler?: IIdentifyThrottler; interactions?: GatewayInteractions } = {}): GatewayShard {
  const handlers = dispatchHandlers(app);
  let warned = false;
  // With INTERACTIONS=http Discord only sends INTERACTION_CREATE when the application has no
  // Interactions Endpoint URL: the webhook then never sees a command. Say so once.
  const unexpected = () => {
    if (warned) return;
    warned = true;
    app.log.warn(
      'INTERACTION_CREATE arrived on the gateway, but INTERACTIONS=http: the application has no Interactions Endpoint URL, so commands never reach the webhook. Set the URL in the developer portal, or INTERACTIONS=gateway',
    );
  };
  const shard = new GatewayShard({
    token: app.config.token,
    rest: app.discord.rest,
    log: app.log.child({ part: 'gateway' }),
    clock: app.clock,
    identifyThrottler: options.identifyThrottler,
    shards: app.config.shards,
    hooks: {
      dispatch: (payload) => handlers.dispatch(payload),
      interaction: options.interactions ? (interaction) => options.interactions!.receive(interaction) : unexpected,
      onFreshSession: () => handlers.onFreshSession(),
    },
  });
  watchConnection(app, shard.connection);
  attachVoiceGreeting(app, shard);
  return shard;
}
