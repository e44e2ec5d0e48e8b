import { WebSocketShardEvents } from '@discordjs/ws';
import type { App } from '../shared/app.js';
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
  let lastAliveAt: number | undefined;
  const alive = () => {
    if (shard.status.state !== 'ready' && shard.status.state !== 'resumed') return;
    lastAliveAt = app.clock.now();
    app.heartbeat.noteConnected(lastAliveAt);
  };
  shard.manager.on(WebSocketShardEvents.Dispatch, alive);
  shard.manager.on(WebSocketShardEvents.HeartbeatComplete, alive);
  shard.manager.on(WebSocketShardEvents.Closed, () => {
    app.voice.noteConnectionLost(lastAliveAt ?? app.clock.now());
    // Written now: a crash before the next beat must still know the connection was already gone.
    if (lastAliveAt !== undefined && shard.status.state !== 'closed') {
      app.heartbeat.beat().catch((error: unknown) => app.log.warn({ err: error }, 'could not record when the gateway was lost'));
    }
  });
}
