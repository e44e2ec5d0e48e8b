import type { IIdentifyThrottler } from '@discordjs/ws';
import type { App } from '../app.js';
import { GatewayShard } from './shard.js';
import { dispatchHandlers } from './events/index.js';
import { watchConnection } from './voice-lifecycle.js';
import { attachVoiceGreeting } from '../voice/attach.js';

/** Builds the shard for `app`: dispatches go to the handlers in `events/`, by event name. */
export function createGateway(app: App, options: { identifyThrottler?: IIdentifyThrottler } = {}): GatewayShard {
  const handlers = dispatchHandlers(app);
  const shard = new GatewayShard({
    token: app.config.token,
    rest: app.discord.rest,
    log: app.log.child({ part: 'gateway' }),
    clock: app.clock,
    identifyThrottler: options.identifyThrottler,
    hooks: {
      dispatch: (payload) => handlers.dispatch(payload),
      onFreshSession: () => handlers.onFreshSession(),
    },
  });
  watchConnection(app, shard.connection);
  attachVoiceGreeting(app, shard);
  return shard;
}
