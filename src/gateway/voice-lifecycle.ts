import { WebSocketShardEvents } from '@discordjs/ws';
import type { App } from '../shared/app.js';
import type { GatewayShard } from './shard.js';

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

/**
 * Tells the voice service when the connection was lost: the last dispatch or heartbeat ACK before
 * a close. Discord ACKs a heartbeat about every 41 s, so this is within a minute of the real loss
 * even in a quiet guild, and a reconcile after a long outage closes stays there, not at reconnect.
 * @see https://discord.com/developers/docs/events/gateway#sending-heartbeats
 */
export function watchConnection(app: App, shard: GatewayShard): void {
  let lastAliveAt: number | undefined;
  const alive = () => {
    lastAliveAt = app.clock.now();
  };
  shard.manager.on(WebSocketShardEvents.Dispatch, alive);
  shard.manager.on(WebSocketShardEvents.HeartbeatComplete, alive);
  shard.manager.on(WebSocketShardEvents.Closed, () => app.voice.noteConnectionLost(lastAliveAt ?? app.clock.now()));
}
