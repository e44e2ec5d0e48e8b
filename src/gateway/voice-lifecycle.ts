import type { App } from '../shared/app.js';

/**
 * Before the gateway connects: close the stays a crash left open at the last heartbeat (so the
 * downtime never counts), then start beating. GUILD_CREATE reopens the stays of members still in
 * voice. Must run before {@link App.heartbeat} writes its first beat of this run.
 */
export async function startVoiceTracking(app: App): Promise<void> {
  const lastAlive = await app.heartbeat.last();
  await app.voice.recoverAfterCrash(lastAlive);
  await app.heartbeat.start();
}

/**
 * Clean shutdown (SIGTERM/SIGINT): the bot saw every member until now, so open stays end now and
 * are not estimated. The final beat records the moment.
 */
export async function stopVoiceTracking(app: App): Promise<void> {
  app.heartbeat.stop();
  await app.voice.settle();
  const closed = await app.voice.closeAll(app.clock.now(), { estimated: false });
  await app.heartbeat.beat();
  if (closed > 0) app.log.info({ closed }, 'closed open voice stays on shutdown');
}
