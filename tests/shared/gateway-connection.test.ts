import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import { GatewayConnection, lastHeardAt } from '../../src/shared/gateway-connection.js';

/** The connection model as the shard feeds it; what health, metrics and voice tracking read. */
describe('the gateway connection model', () => {
  const start = 1_000_000;
  const setup = () => {
    const clock = new ManualClock(start);
    const connection = new GatewayConnection(clock);
    const heard: string[] = [];
    connection.listen({ alive: (at, back) => heard.push(`alive ${at - start}${back ? ' back' : ''}`), lost: (at) => heard.push(`lost ${at === undefined ? 'never' : at - start}`) });
    return { clock, connection, heard };
  };

  it('is connected from READY until a close; a resume after a drop counts as a reconnect', () => {
    const { clock, connection, heard } = setup();
    expect(connection.view()).toMatchObject({ state: 'starting', connected: false, readyOnce: false, sessions: 0 });
    connection.connecting();
    connection.heartbeatAcked(30); // an ACK before READY is no session
    expect(heard).toEqual([]);
    clock.advance(1_000);
    connection.ready();
    connection.dispatched();
    expect(connection.view()).toMatchObject({ state: 'ready', connected: true, readyOnce: true, sessions: 1, reconnects: 0, connectedAt: start + 1_000, lastEventAt: start + 1_000, latencyMs: 30 });
    clock.advance(40_000);
    connection.heartbeatAcked(25);
    clock.advance(5_000);
    connection.closed(1006);
    expect(connection.view()).toMatchObject({ state: 'reconnecting', connected: false, connectedAt: null, disconnectedAt: start + 46_000 });
    expect(connection.down).toBe(true);
    expect(connection.lastAliveAt).toBe(start + 41_000);
    clock.advance(2_000);
    connection.resumed();
    connection.dispatched();
    expect(connection.down).toBe(false);
    expect(connection.view()).toMatchObject({ state: 'resumed', connected: true, resumes: 1, reconnects: 1, disconnectedAt: null, connectedAt: start + 48_000 });
    expect(heard).toEqual(['alive 1000', 'alive 41000', 'lost 41000', 'alive 48000 back']);
    expect(lastHeardAt(connection.view())).toBe(start + 48_000);
  });

  it('our own shutdown is no outage: nothing is told lost and it is not down', () => {
    const { connection, heard } = setup();
    connection.connecting();
    connection.ready();
    connection.shutDown();
    connection.closed(1000);
    expect(connection.view()).toMatchObject({ state: 'closed', connected: false, disconnectedAt: null });
    expect(connection.down).toBe(false);
    expect(heard).toEqual([]);
  });

  it('a close before any READY is lost with no moment alive; a second READY is a new session', () => {
    const { connection, heard } = setup();
    connection.connecting();
    connection.closed(4000);
    connection.ready();
    connection.closed(4009);
    connection.ready();
    expect(heard).toEqual(['lost never', 'lost never']);
    expect(connection.view()).toMatchObject({ sessions: 2, reconnects: 1 });
  });

  it('with two shards it is connected only while both are; one shard down makes the process down until both are back', () => {
    const { clock, connection, heard } = setup();
    connection.connecting([2, 3]);
    connection.ready(2);
    connection.dispatched();
    expect(connection.view()).toMatchObject({
      state: 'connecting',
      connected: false,
      connectedAt: null,
      shards: [
        { id: 2, state: 'ready' },
        { id: 3, state: 'connecting' },
      ],
    });
    expect(connection.shardConnected(2)).toBe(true);
    expect(connection.shardConnected(3)).toBe(false);
    expect(heard).toEqual([]); // the process does not see all its guilds yet
    clock.advance(500);
    connection.ready(3);
    connection.dispatched();
    expect(connection.view()).toMatchObject({ state: 'ready', connected: true, connectedAt: start + 500, sessions: 2, reconnects: 1 });
    clock.advance(1_000);
    connection.closed(1006, 3);
    expect(connection.view()).toMatchObject({
      state: 'reconnecting',
      connected: false,
      disconnectedAt: start + 1_500,
      shards: [
        { id: 2, state: 'ready' },
        { id: 3, state: 'reconnecting' },
      ],
    });
    expect(connection.shardConnected(2)).toBe(true); // op 4 for shard 2's guilds still goes out
    connection.heartbeatAcked(20); // shard 2 alive is not the process back
    expect(connection.down).toBe(true);
    clock.advance(1_000);
    connection.resumed(3);
    connection.dispatched();
    expect(connection.view()).toMatchObject({ state: 'resumed', connected: true, connectedAt: start + 2_500, disconnectedAt: null });
    expect(heard).toEqual(['alive 500', 'lost 500', 'alive 2500 back']);
    connection.shutDown();
    expect(connection.shardConnected(2)).toBe(false);
    expect(connection.view().shards).toMatchObject([
      { id: 2, state: 'closed' },
      { id: 3, state: 'closed' },
    ]);
  });

  it('each shard has its own since, last heard and heartbeat latency; a shard waiting on the session start limit says why and until when', () => {
    const { clock, connection } = setup();
    connection.connecting([0, 1]);
    clock.advance(1_000);
    connection.ready(0);
    connection.ready(1);
    clock.advance(1_000);
    connection.heartbeatAcked(12, 0);
    connection.dispatched(1);
    clock.advance(1_000);
    connection.heartbeatAcked(34, 1);
    expect(connection.view().shards).toEqual([
      { id: 0, state: 'ready', since: start + 1_000, lastHeardAt: start + 2_000, latencyMs: 12 },
      { id: 1, state: 'ready', since: start + 1_000, lastHeardAt: start + 3_000, latencyMs: 34 },
    ]);
    clock.advance(1_000);
    connection.closed(1006, 1);
    clock.advance(1_000);
    connection.closed(1006, 1); // closed again while reconnecting: down since the first close
    connection.waiting([1], "Discord's session start limit is used up", start + 60_000);
    expect(connection.view()).toMatchObject({ state: 'waiting', connected: false });
    expect(connection.view().shards[1]).toEqual({
      id: 1,
      state: 'waiting',
      since: start + 5_000,
      lastHeardAt: start + 3_000,
      latencyMs: 34,
      reason: "Discord's session start limit is used up",
      until: start + 60_000,
    });
    clock.advance(55_000);
    connection.ready(1);
    expect(connection.view().shards[1]).toEqual({ id: 1, state: 'ready', since: start + 60_000, lastHeardAt: start + 3_000, latencyMs: 34 });
    expect(connection.view()).toMatchObject({ state: 'ready', connected: true });
  });
});
