import type { App } from './app.js';

/** Runs `stop` once on SIGINT/SIGTERM (systemd's stop), closes the app, then exits. */
export function onShutdown(app: App, stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, async () => {
      if (stopping) return;
      stopping = true;
      app.log.info({ signal }, 'shutting down');
      try {
        await stop();
      } finally {
        await app.close();
        process.exit(0);
      }
    });
  }
}
