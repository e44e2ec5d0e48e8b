import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/sandbox/wire.js';
import { eventually, type World } from '../helpers/world.js';
import { startGreetingWorld, type GreetingWorld } from './world.js';

type Key = 'alice' | 'bob' | 'carol' | 'dan';

/**
 * The gateway drops while the bot is greeting someone (the emulator cuts the socket the moment it
 * receives the bot's op 4 join). Whether the session resumes or a new one starts, the bot must end
 * up out of voice as the emulator (Discord) sees it, the leave going out once the shard is back.
 */
describe('voice greeting when the gateway drops during it', () => {
  let w: World;
  let m: Record<Key, string>;
  let c: Record<'squadA' | 'squadB' | 'afk' | 'tonight', string>;
  let guild: string;

  const ops = () => w.emu.voiceOps.map((op) => ({ channel: op.channel_id, session: op.sessionId }));
  let greetAlice: GreetingWorld['greetAlice'];
  let botInVoice: GreetingWorld['botInVoice'];
  const gatewayOut = (t: string) => w.emu.events.filter((e) => e.kind === 'gateway' && (e as { direction?: string }).direction === 'out' && (e as { t?: string }).t === t).length;
  /** Cuts the gateway as soon as the bot's op 4 join arrives, before the emulator answers it. */
  const dropOnJoin = (resumable: boolean) => {
    const listener = (e: WireEvent) => {
      const frame = e as { kind: string; direction?: string; op?: number; d?: { channel_id?: string | null } };
      if (frame.kind !== 'gateway' || frame.direction !== 'in' || frame.op !== 4 || !frame.d?.channel_id) return;
      w.emu.off('event', listener);
      w.emu.dropGateway({ resumable });
    };
    w.emu.on('event', listener);
  };

  beforeEach(async () => {
    // Bob and Carol said they would play at 9 and 10, so Alice has someone to hear about.
    let admin: GreetingWorld['admin'];
    ({ w, m, c, guild, admin, greetAlice, botInVoice } = (await startGreetingWorld([
      ['bob', '🕘'],
      ['carol', '🕙'],
    ])) as GreetingWorld & { m: Record<Key, string> });
    expect(await admin('voice-greeting', [{ name: 'state', value: 'on' }])).toContain('✅');
  }, 30_000);
  afterEach(() => w.close());

  it('resumed: the voice connection is kept, gets the replayed voice events, speaks, and its leave goes out — the bot is out of voice', async () => {
    const resumedBefore = gatewayOut('RESUMED');
    dropOnJoin(true);
    await greetAlice();
    await eventually(() => expect(ops()[0]?.channel).toBe(c.squadA));
    // The emulator put the bot in Squad A while its socket was gone; the resume replays that.
    await eventually(() => expect(gatewayOut('RESUMED')).toBe(resumedBefore + 1), 15_000);
    await eventually(() => expect(ops().at(-1)?.channel).toBeNull(), 15_000);
    await w.app.greeting.idle();
    expect(botInVoice()).toBe(false);
    expect(w.gateway.connection.view()).toMatchObject({ state: 'resumed', resumes: 1, sessions: 1 });
    // One join, one leave, both in the one session.
    expect(ops().map((op) => op.channel)).toEqual([c.squadA, null]);
    expect(new Set(ops().map((op) => op.session)).size).toBe(1);
    const outcome = w.app.greeting.outcomes.at(-1)!;
    // It got the replayed VOICE_STATE_UPDATE + VOICE_SERVER_UPDATE, reached the voice server and spoke.
    expect(outcome).toMatchObject({ userId: m.alice, channelId: c.squadA, result: 'spoken', reached: 'speaking' });

    // Nothing else broke: voice events are still tracked.
    await w.emu.joinVoice(m.dan, c.squadB);
    await eventually(async () => {
      await w.settle();
      return (await w.app.voice.currentStay(guild, m.dan))?.channelId === c.squadB;
    });
  }, 40_000);

  it('not resumable: the new session (READY) destroys the connection at once and sends the leave — the bot is out of voice', async () => {
    const readyBefore = gatewayOut('READY');
    dropOnJoin(false);
    await greetAlice();
    await eventually(() => expect(gatewayOut('READY')).toBe(readyBefore + 1), 15_000);
    await eventually(() => expect(ops().at(-1)?.channel).toBeNull(), 15_000);
    await w.app.greeting.idle();
    expect(botInVoice()).toBe(false);
    expect(w.gateway.connection.view()).toMatchObject({ sessions: 2 });
    const [join, leave] = ops();
    expect(join!.channel).toBe(c.squadA);
    expect(leave!.channel).toBeNull();
    expect(leave!.session).not.toBe(join!.session);
    expect(ops()).toHaveLength(2);
    // Stopped at once, not after waiting out the 10 s ready timeout.
    expect(w.app.greeting.outcomes.at(-1)).toMatchObject({ userId: m.alice, result: 'failed', error: 'the voice connection was destroyed' });
  }, 40_000);
});
