import type { IIdentifyThrottler } from '@discordjs/ws';
import { GatewayInteractions } from './gateway/interactions.js';
import { InteractionIntake, type IntakeOptions } from './interactions/intake.js';
import { startSidecar, type Sidecar } from './gateway/sidecar.js';
import { buildServer, type InteractionServer } from './http/server.js';
import { createApp, type App, type AppOptions } from './app.js';
import { GatewayConnection, type GatewayView } from './shared/gateway-connection.js';
import { EX_CONFIG, reportRefusedSetting, type Config, type StartStep } from './shared/config.js';

export interface BootOptions extends AppOptions {
  /**
   * Run the HTTP server (default true; false for `start:gateway`): the interactions webhook with
   * `INTERACTIONS=http`, only /healthz, /readyz and /metrics on loopback with `INTERACTIONS=gateway`.
   */
  http?: boolean;
  /** Handlers and deadline for the one intake both transports route through (tests). */
  intake?: IntakeOptions;
  /** Run the gateway side — shard, voice tracking, scheduler (default true; false for `start:http`). */
  gateway?: boolean;
  identifyThrottler?: IIdentifyThrottler;
  /**
   * The scheduler's period in ms; `'manual'` starts no timer and no first tick (tests and the
   * sandbox's clock controls call `tick()` themselves).
   */
  ticks?: number | 'manual';
  /** Discord refused the configuration for good (a wrong token): see `startSidecar`. */
  onRefused?: (why: string) => void;
  /** Wraps each start step; entry points stop there in one line naming the setting (`startStepOrExit`). */
  step?: <T>(step: StartStep, run: () => Promise<T>) => Promise<T>;
}

/** A running bot: the app and whichever halves were asked for. */
export interface Bot {
  app: App;
  server?: InteractionServer;
  /** Where every interaction enters, whichever transport `config.interactions` names. */
  intake: InteractionIntake;
  /** With `INTERACTIONS=gateway` and the gateway side running: INTERACTION_CREATE answered over the callback endpoint. */
  gatewayInteractions?: GatewayInteractions;
  /** The webhook's base URL, when it serves one. */
  url?: string;
  sidecar?: Sidecar;
  /** Waits until the gateway queue, the deferred deliveries and the message editor are idle. */
  settle(): Promise<void>;
  /** Runs the scheduler once at the current clock, then settles. */
  tick(): Promise<void>;
  /** Clean stop of both halves (the app stays open: `app.close()` or the shutdown handler closes it). */
  stop(): Promise<void>;
}

/** What `/healthz` says of a gateway this process will run but has not opened yet. */
const STARTING: GatewayView = new GatewayConnection({ now: () => 0 }).view();

const direct = <T>(_step: StartStep, run: () => Promise<T>) => run();

/**
 * The one way rollcall starts, for `npm start`, `start:http`, `start:gateway`, the sandbox and the
 * tests' world: the app, then the port (a port already taken stops the process before it identifies
 * to Discord and spends one of the day's session starts), then the gateway side.
 */
export async function bootBot(config: Config, options: BootOptions = {}): Promise<Bot> {
  const step = options.step ?? direct;
  const app = await step('database', () => createApp(config, options));
  // One router whichever way interactions come: the webhook's route and the gateway's INTERACTION_CREATE.
  const intake = new InteractionIntake(app, options.intake);
  const overGateway = config.interactions === 'gateway';
  // Until the shard is up, /healthz reports it starting (its grace period).
  const gateway: { connection?: GatewayConnection } = {};
  let server: InteractionServer | undefined;
  let url: string | undefined;
  if (options.http !== false) {
    const withGateway = options.gateway !== false;
    server = buildServer(app, { intake, webhook: !overGateway, ...(withGateway ? { gateway: () => gateway.connection?.view() ?? STARTING } : {}) });
    const fastify = server.fastify;
    url = await step('listen', () => fastify.listen({ host: config.httpHost, port: config.httpPort }));
  }
  let sidecar: Sidecar | undefined;
  let gatewayInteractions: GatewayInteractions | undefined;
  if (options.gateway !== false) {
    gatewayInteractions = overGateway ? new GatewayInteractions(app, intake) : undefined;
    sidecar = await startSidecar(app, {
      ...(options.identifyThrottler ? { identifyThrottler: options.identifyThrottler } : {}),
      ticks: options.ticks ?? 'timer',
      ...(options.onRefused ? { onRefused: options.onRefused } : {}),
      ...(gatewayInteractions ? { interactions: gatewayInteractions } : {}),
    });
    gateway.connection = sidecar.gateway.connection;
  }
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await sidecar?.gateway.idle();
      await gatewayInteractions?.settle();
      await intake.router.settle();
      await app.partyAlerts.idle();
      await app.editor.settle();
    }
  };
  return {
    app,
    intake,
    ...(gatewayInteractions ? { gatewayInteractions } : {}),
    ...(server ? { server } : {}),
    ...(url ? { url } : {}),
    ...(sidecar ? { sidecar } : {}),
    settle,
    async tick() {
      await app.scheduler.tick();
      await settle();
    },
    async stop() {
      await server?.fastify.close();
      // In-flight interactions get their answers while the socket and the REST client still work.
      await gatewayInteractions?.settle();
      await sidecar?.stop();
    },
  };
}

/**
 * For entry points: when Discord refuses the configuration, one line and exit 78 — through the clean
 * stop once `stopWith` is set (after the shutdown handler is installed), at once before that.
 */
export function exitOnRefusal(): { onRefused: (why: string) => void; stopWith?: (exitCode: number) => void } {
  const holder: { onRefused: (why: string) => void; stopWith?: (exitCode: number) => void } = {
    onRefused: (why) => {
      reportRefusedSetting(why);
      if (holder.stopWith) holder.stopWith(EX_CONFIG);
      else process.exit(EX_CONFIG);
    },
  };
  return holder;
}
