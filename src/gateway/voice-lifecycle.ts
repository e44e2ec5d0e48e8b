import type { App } from '../app.js';
import type { GatewayConnection } from '../shared/gateway-connection.js';

/**
 * Before the gateway connects: close the stays a crash left open at the last moment the previous
 * run was watching — the earlier of its last heartbeat and its gateway's last-known connection — so
 * neither the downtime nor an outage just before the crash counts. Then start beating. GUILD_CREATE
 * reopens the stays of members still in voice. Must run before {@link App.heartbeat} writes its
 * first beat of this run.
 */
export async function startVoiceTracking(app: App): Promise<void> {
  const lastWatching = await app.heartbeat.lastWatching();
  await app.voice.recoverAfterCrash(lastWatching);
  await app.heartbeat.start();
}

/**
 * Clean shutdown (SIGTERM/SIGINT): the bot saw every member until now, so open stays end now and
 * are not estimated — unless the gateway was down when the shutdown came (an outage it had not
 * recovered from): then it saw them only until the connection was lost, and they end there,
 * estimated. The final beat records the moment.
 */
export async function stopVoiceTracking(app: App, connection: GatewayConnection): Promise<void> {
  app.heartbeat.stop();
  await app.voice.settle();
  const lost = connection.down ? connection.lastAliveAt : undefined;
  const closed = lost === undefined ? await app.voice.closeAll(app.clock.now(), { estimated: false }) : await app.voice.closeAll(lost, { estimated: true });
  await app.heartbeat.beat();
  if (closed > 0) app.log.info({ closed, ...(lost === undefined ? {} : { gatewayLostAt: lost }) }, 'closed open voice stays on shutdown');
}

/**
 * Tells voice tracking and the heartbeat the last moment the gateway was known connected: the last
 * dispatch or heartbeat ACK of a live session. The voice service learns it at each close, so a
 * reconcile after a long outage closes stays there, not at reconnect; the heartbeat writes it beside
 * its own beat (and at once on a close), so a crash during an outage closes them there too. Discord
 * ACKs a heartbeat about every 41 s, so this is within a minute of the real loss even in a quiet guild.
 * @see https://discord.com/developers/docs/events/gateway#sending-heartbeats
 */
export function watchConnection(app: App, connection: GatewayConnection): void {
  connection.listen({
    alive(at, back) {
      app.heartbeat.noteConnected(at);
      // Written now, as at a close: a crash before the next beat must not take the outage's start
      // as the last moment watched, closing stays opened since the reconnect before they began.
      if (back) app.heartbeat.beat().catch((error: unknown) => app.log.warn({ err: error }, 'could not record that the gateway is back'));
    },
    lost(lastAliveAt) {
      app.voice.noteConnectionLost(lastAliveAt ?? app.clock.now());
      // Written now: a crash before the next beat must still know the connection was already gone.
      if (lastAliveAt !== undefined) app.heartbeat.beat().catch((error: unknown) => app.log.warn({ err: error }, 'could not record when the gateway was lost'));
    },
  });
}
