import { WebSocketShardEvents, type IIdentifyThrottler } from '@discordjs/ws';
import { GatewayCloseCodes } from 'discord-api-types/v10';
import type { App } from '../app.js';
import { createGateway } from './gateway.js';
import type { GatewayInteractions } from './interactions.js';
import type { GatewayShard } from './shard.js';
import { startVoiceTracking, stopVoiceTracking } from './voice-lifecycle.js';

export interface Sidecar {
  gateway: GatewayShard;
  /** Resolves once the shard's first connect has succeeded (it is retried until then). */
  connected: Promise<void>;
  /** Clean shutdown: stop jobs, close the socket, close open voice stays at now. */
  stop(): Promise<void>;
}

/**
 * Why Discord will never let this process on the gateway as configured (a setting to fix, not a
 * network problem to wait out), or null. A wrong DISCORD_TOKEN is a 401 on `GET /gateway/bot`
 * before the socket opens, or close 4004 when the socket identifies.
 * @see https://discord.com/developers/docs/topics/opcodes-and-status-codes#gateway-gateway-close-event-codes
 */
export function gatewayRefusal(event: { status?: unknown; closeCode?: unknown }): string | null {
  if (event.status === 401)
    return 'DISCORD_TOKEN was refused by Discord (401 Unauthorized on GET /gateway/bot): copy the bot token from the developer portal (Bot → Reset Token) into the environment file';
  switch (event.closeCode) {
    case GatewayCloseCodes.AuthenticationFailed:
      return 'DISCORD_TOKEN was refused by Discord (gateway close 4004: authentication failed): copy the bot token from the developer portal (Bot → Reset Token) into the environment file';
    case GatewayCloseCodes.InvalidIntents:
    case GatewayCloseCodes.DisallowedIntents:
      return `Discord refused the gateway intents (close ${String(event.closeCode)}): this build asks for intents the application may not use`;
    case GatewayCloseCodes.InvalidShard:
      return 'SHARD_IDS / SHARD_COUNT were refused by Discord (gateway close 4010: invalid shard): every gateway process must have the same SHARD_COUNT, and SHARD_IDS below it';
    case GatewayCloseCodes.ShardingRequired:
      return 'SHARD_COUNT is too small: Discord requires sharding (gateway close 4011: too many guilds on one shard); set SHARD_COUNT to at least the count GET /gateway/bot recommends (or unset it), and split SHARD_IDS over the gateway processes';
    case GatewayCloseCodes.InvalidAPIVersion:
      return `Discord refused the gateway connection (close ${String(event.closeCode)})`;
    default:
      return null;
  }
}

/** Waits between failed first connects (network down at boot, Discord unreachable): 5 s, 10 s, … 60 s. */
const RETRY_MS = [5_000, 10_000, 20_000, 40_000, 60_000];

/**
 * Everything that runs beside the webhook: the gateway shard, voice tracking and the scheduler
 * (daily post, hour boundaries), and with `INTERACTIONS=gateway` the interactions themselves
 * (`options.interactions`). One per deployment — in `npm start` or `npm run start:gateway`.
 *
 * `onRefused` is called once when Discord refuses the configuration (see {@link gatewayRefusal}):
 * the entry points stop the process with that one line and exit 78, so systemd does not restart it
 * into the same refusal and a deploy rolls the release back. Any other failed connect is retried.
 */
export async function startSidecar(
  app: App,
  options: { identifyThrottler?: IIdentifyThrottler; ticks?: number | 'timer' | 'manual'; onRefused?: (why: string) => void; interactions?: GatewayInteractions } = {},
): Promise<Sidecar> {
  const gateway = createGateway(app, options);
  let stopped = false;
  let refused = false;
  let retry: NodeJS.Timeout | undefined;
  const refuse = (why: string) => {
    if (refused || stopped) return;
    refused = true;
    app.log.fatal({ reason: why }, 'gateway refused');
    options.onRefused?.(why);
  };
  gateway.manager.on(WebSocketShardEvents.Closed, (code) => {
    const why = gatewayRefusal({ closeCode: code });
    if (why) refuse(why);
  });
  await startVoiceTracking(app);
  let markConnected!: () => void;
  const connected = new Promise<void>((resolve) => (markConnected = resolve));
  const connect = (attempt: number) => {
    gateway.connect().then(markConnected, (error: unknown) => {
      const why = gatewayRefusal({ status: (error as { status?: unknown } | null)?.status });
      if (why) return refuse(why);
      if (stopped || refused) return;
      const delay = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!;
      app.log.error({ err: error, retryInMs: delay }, 'gateway could not connect; trying again');
      retry = setTimeout(() => connect(attempt + 1), delay);
      retry.unref();
    });
  };
  connect(0);
  if (options.ticks !== 'manual') {
    // First tick right away: a message missed while the bot was down is posted on start.
    void app.scheduler.tick();
    app.scheduler.start(typeof options.ticks === 'number' ? options.ticks : undefined);
  }
  return {
    gateway,
    connected,
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await app.scheduler.stop();
      await app.greeting.stop(); // leaves voice while the socket can still say so
      await gateway.destroy().catch((error: unknown) => app.log.warn({ err: error }, 'gateway did not close cleanly'));
      await gateway.idle();
      await stopVoiceTracking(app, gateway.connection).catch((error: unknown) => app.log.error({ err: error }, 'could not close voice stays'));
    },
  };
}
