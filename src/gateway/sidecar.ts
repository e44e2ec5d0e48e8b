import type { IIdentifyThrottler } from '@discordjs/ws';
import type { App } from '../shared/app.js';
import { createGateway } from './gateway.js';
import type { GatewayShard } from './shard.js';
import { startVoiceTracking, stopVoiceTracking } from './voice-lifecycle.js';

export interface Sidecar {
  gateway: GatewayShard;
  /** Clean shutdown: stop jobs, close the socket, close open voice stays at now. */
  stop(): Promise<void>;
}

/**
 * Everything that runs beside the webhook: the gateway shard, voice tracking and the scheduler
 * (daily post, hour boundaries). One per deployment — in `npm start` or `npm run start:gateway`.
 */
export async function startSidecar(app: App, options: { identifyThrottler?: IIdentifyThrottler; tickMs?: number } = {}): Promise<Sidecar> {
  const gateway = createGateway(app, options);
  await startVoiceTracking(app);
  gateway.connect().catch((error: unknown) => app.log.error({ err: error }, 'gateway could not connect'));
  // First tick right away: a message missed while the bot was down is posted on start.
  void app.scheduler.tick();
  app.scheduler.start(options.tickMs);
  return {
    gateway,
    async stop() {
      await app.scheduler.stop();
      await app.greeting.stop(); // leaves voice while the socket can still say so
      await gateway.destroy().catch((error: unknown) => app.log.warn({ err: error }, 'gateway did not close cleanly'));
      await gateway.idle();
      await stopVoiceTracking(app).catch((error: unknown) => app.log.error({ err: error }, 'could not close voice stays'));
    },
  };
}
