import { WebSocketShardEvents } from '@discordjs/ws';
import type { App } from '../app.js';
import type { GatewayShard } from './shard.js';

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

/** Per app: whether its gateway is down after an unplanned close, and when it was last known connected. */
const connections = new WeakMap<App, { down: boolean; lastAliveAt: number | undefined }>();

/**
 * Clean shutdown (SIGTERM/SIGINT): the bot saw every member until now, so open stays end now and
 * are not estimated — unless the gateway was down when the shutdown came (an outage it had not
 * recovered from): then it saw them only until the connection was lost, and they end there,
 * estimated. The final beat records the moment.
 */
export async function stopVoiceTracking(app: App): Promise<void> {
  app.heartbeat.stop();
  await app.voice.settle();
  const connection = connections.get(app);
  const lost = connection?.down ? connection.lastAliveAt : undefined;
  const closed = lost === undefined ? await app.voice.closeAll(app.clock.now(), { estimated: false }) : await app.voice.closeAll(lost, { estimated: true });
  await app.heartbeat.beat();
  if (closed > 0) app.log.info({ closed, ...(lost === undefined ? {} : { gatewayLostAt: lost }) }, 'closed open voice stays on shutdown');
}

/**
 * Tracks the last moment the gateway was known connected: the last dispatch or heartbeat ACK of a
 * live session (ready or resumed — an ACK on a socket still resuming or waiting to identify is no
 * session). The voice service learns it at each close, so a reconcile after a long outage closes
 * stays there, not at reconnect; the heartbeat writes it beside its own beat (and at once on a
 * close), so a crash during an outage closes them there too. Discord ACKs a heartbeat about every
 * 41 s, so this is within a minute of the real loss even in a quiet guild.
 * @see https://discord.com/developers/docs/events/gateway#sending-heartbeats
 */
export function watchConnection(app: App, shard: GatewayShard): void {
  const connection = { down: false, lastAliveAt: undefined as number | undefined };
  connections.set(app, connection);
  const alive = () => {
    if (shard.status.state !== 'ready' && shard.status.state !== 'resumed') return;
    const wasDown = connection.down;
    connection.down = false;
    connection.lastAliveAt = app.clock.now();
    app.heartbeat.noteConnected(connection.lastAliveAt);
    // Written now, as at a close: a crash before the next beat must not take the outage's start
    // as the last moment watched, closing stays opened since the reconnect before they began.
    if (wasDown) app.heartbeat.beat().catch((error: unknown) => app.log.warn({ err: error }, 'could not record that the gateway is back'));
  };
  shard.manager.on(WebSocketShardEvents.Dispatch, alive);
  shard.manager.on(WebSocketShardEvents.HeartbeatComplete, alive);
  shard.manager.on(WebSocketShardEvents.Closed, () => {
    const { lastAliveAt } = connection;
    app.voice.noteConnectionLost(lastAliveAt ?? app.clock.now());
    // Our own destroy (shutdown) is no outage; the shard's status says `closed` then.
    if (shard.status.state === 'closed') return;
    connection.down = true;
    // Written now: a crash before the next beat must still know the connection was already gone.
    if (lastAliveAt !== undefined) app.heartbeat.beat().catch((error: unknown) => app.log.warn({ err: error }, 'could not record when the gateway was lost'));
  });
}
