import type { App } from './app.js';

/** How long a clean stop may take before the process gives up; systemd's TimeoutStopSec is above it. */
export const DEFAULT_STOP_TIMEOUT_MS = 20_000;

export interface ShutdownOptions {
  /** Default: `STOP_TIMEOUT_MS` from the environment, else {@link DEFAULT_STOP_TIMEOUT_MS}. */
  timeoutMs?: number;
}

function timeoutFromEnv(): number {
  const raw = Number(process.env.STOP_TIMEOUT_MS);
  return Number.isFinite(raw) && raw > 0 ? raw : DEFAULT_STOP_TIMEOUT_MS;
}

/**
 * On the first SIGINT or SIGTERM (systemd's stop, Ctrl+C): runs `stop` (stop accepting, finish
 * in-flight interactions, close the gateway and open voice stays), checkpoints the WAL into the
 * database file, closes the app and exits 0.
 *
 * A second signal of either kind exits 1 at once (an operator pressing Ctrl+C again, or systemd's
 * `kill` after a `stop`); a stop that takes longer than the timeout exits 1 with a line saying so,
 * before systemd has to SIGKILL it. A failing step is logged and the rest still runs (exit 1).
 * Returns the same stop for the process itself to call, with the exit code it should end with.
 */
export function onShutdown(app: App, stop: () => Promise<void>, options: ShutdownOptions = {}): (exitCode: number) => void {
  const timeoutMs = options.timeoutMs ?? timeoutFromEnv();
  let stopping = false;
  const begin = (exitCode: number) => {
    stopping = true;
    setTimeout(() => {
      app.log.error({ timeoutMs }, `shutdown did not finish within ${Math.round(timeoutMs / 1000)} s: exiting`);
      process.exit(1);
    }, timeoutMs);
    void shutDown(app, stop).then((ok) => process.exit(ok ? exitCode : 1));
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      app.log.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    app.log.info({ signal, timeoutMs }, 'shutting down');
    begin(0);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The same clean stop from inside (Discord refused the token): exits with `exitCode` when it went well.
  return (exitCode) => {
    if (!stopping) begin(exitCode);
  };
}

async function shutDown(app: App, stop: () => Promise<void>): Promise<boolean> {
  let ok = true;
  try {
    await stop();
  } catch (error) {
    ok = false;
    app.log.error({ err: error }, 'stopping failed');
  }
  try {
    // The last writers (scheduled jobs, message edits in flight) first, so nothing lands after the
    // checkpoint; app.close() repeats both, harmlessly.
    await app.scheduler.stop();
    await app.editor.close();
  } catch (error) {
    ok = false;
    app.log.error({ err: error }, 'stopping jobs and edits failed');
  }
  try {
    // SQLite: everything written so far goes into the database file and the -wal is cut to 0 bytes,
    // so a copy of the data folder taken while the bot is stopped is the whole database.
    // PostgreSQL checkpoints by itself (null).
    const result = app.database.checkpoint();
    if (result?.busy) app.log.warn(result, 'WAL checkpoint could not finish: another connection is busy');
  } catch (error) {
    app.log.warn({ err: error }, 'WAL checkpoint failed');
  }
  try {
    await app.close();
  } catch (error) {
    ok = false;
    app.log.error({ err: error }, 'closing failed');
  }
  if (ok) app.log.info('stopped');
  return ok;
}
