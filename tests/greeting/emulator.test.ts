import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GreetingRequest, GreetingSpeaker } from '../../src/shared/services/voice-greeting.js';
import { greetingSentence } from '../../src/voice/sentence.js';
import { eventually, type World } from '../helpers/world.js';
import { startGreetingWorld, type GreetingWorld } from './world.js';

type Key = 'alice' | 'bob' | 'carol' | 'dan' | 'erin' | 'frank';

/** A whole world (emulator + bot): what the emulator saw the bot send on the gateway as op 4. */
describe('voice greeting against the emulator', () => {
  let w: World;
  let m: Record<Key, string>;
  let c: Record<'squadA' | 'squadB' | 'afk' | 'tonight', string>;
  let guild: string;

  const ops = () => w.emu.voiceOps.map((op) => ({ channel: op.channel_id, self_deaf: op.self_deaf, self_mute: op.self_mute }));
  let admin: GreetingWorld['admin'];
  /** A member joins, and the bot has handled the event. */
  const join = async (who: Key, channel: string) => {
    await w.emu.joinVoice(m[who], channel);
    await eventually(async () => {
      await w.settle();
      return (await w.app.voice.currentStay(guild, m[who]))?.channelId === channel;
    });
  };
  const leave = async (who: Key) => {
    await w.emu.leaveVoice(m[who]);
    await eventually(async () => {
      await w.settle();
      return (await w.app.voice.currentStay(guild, m[who])) === undefined;
    });
  };
  /** Seconds pass on the bot's clock, then a scheduler tick. */
  const after = async (seconds: number) => {
    w.clock.advance(seconds * 1000);
    await w.tick();
  };

  beforeAll(async () => {
    ({ w, m, c, guild, admin } = (await startGreetingWorld([
      ['bob', '🕘'],
      ['carol', '🕙'],
      ['dan', '🕙'],
      ['dan', '🕚'],
    ])) as GreetingWorld & { m: Record<Key, string> });
  }, 30_000);
  afterAll(() => w.close());

  it('is off by default: a member alone in voice is not greeted, and /config show says so', async () => {
    expect(await admin('show')).toContain('Voice greeting: off — turn it on with `/config voice-greeting on`');
    await join('alice', c.squadA);
    await after(11);
    await after(60);
    expect(ops()).toEqual([]);
    await leave('alice');
  });

  it('on: after the delay alone, the bot joins that channel self-deafened, then leaves', async () => {
    const reply = await admin('voice-greeting', [{ name: 'state', value: 'on' }]);
    expect(reply).toContain('✅ When a member is first in a voice channel');
    expect(reply).toContain('Voice greeting: on — after 10 s alone in voice, voice en-us at 165 wpm');
    expect(reply).not.toContain('unavailable');

    await join('alice', c.squadA);
    // What it is going to say, in Alice's display name ("Al") and the members' ("Caz" is Carol's nick).
    const facts = await w.app.greeting.facts(guild, m.alice, w.clock.now());
    expect(greetingSentence(facts!)).toBe('Hi Al. Tonight: Bob at 9, Caz and Dan at 10.');

    await after(9);
    expect(ops()).toEqual([]);
    await after(2);
    await eventually(() => expect(ops()[0]).toEqual({ channel: c.squadA, self_deaf: true, self_mute: false }));
    // It speaks to the emulator's voice server (tests/greeting/voice-server.test.ts listens), then leaves.
    await eventually(() => expect(ops().at(-1)).toEqual({ channel: null, self_deaf: true, self_mute: false }), 20_000);
    await w.app.greeting.idle();
    const outcome = w.app.greeting.outcomes.at(-1)!;
    expect(outcome).toMatchObject({ guildId: guild, channelId: c.squadA, userId: m.alice, result: 'spoken', reached: 'speaking' });
    expect(ops().filter((op) => op.channel === null)).toHaveLength(1);
    expect(w.emu.voiceStates().some((v) => v.user_id === w.emu.applicationId)).toBe(false);
  }, 30_000);

  it('greets a member at most once per hour', async () => {
    const before = ops().length;
    await leave('alice');
    await after(120);
    await join('alice', c.squadA);
    await after(11);
    expect(ops()).toHaveLength(before);
    await leave('alice');
  });

  it('a second member joining during the delay cancels the greeting', async () => {
    const before = ops().length;
    await join('bob', c.squadB);
    await after(5);
    await join('carol', c.squadB);
    await after(6);
    await after(30);
    expect(ops()).toHaveLength(before);
    await leave('carol');
    // Bob is alone again, but did not just join: no greeting for staying put.
    await after(30);
    expect(ops()).toHaveLength(before);
    await leave('bob');
  });

  it('the member leaving during the delay cancels it; the AFK channel is never greeted', async () => {
    const before = ops().length;
    await join('frank', c.squadB);
    await after(3);
    await leave('frank');
    await after(20);
    await join('erin', c.afk);
    await after(20);
    expect(ops()).toHaveLength(before);
    await leave('erin');
  });

  it('the delay is the guild’s setting', async () => {
    expect(await admin('voice-greeting-delay', [{ name: 'seconds', value: 30 }])).toContain('✅ A member must be alone in voice for 30 s');
    const before = ops().length;
    await join('frank', c.squadB);
    await after(20);
    expect(ops()).toHaveLength(before);
    await after(11);
    await eventually(
      () =>
        expect(ops().slice(before)).toEqual([
          { channel: c.squadB, self_deaf: true, self_mute: false },
          { channel: null, self_deaf: true, self_mute: false },
        ]),
      20_000,
    );
    await w.app.greeting.idle();
    await leave('frank');
  }, 30_000);

  it('leaves at once when anyone else joins while it speaks', async () => {
    // A speaker that "speaks" until told to stop, so the moment of someone joining can be chosen.
    const calls: { request: GreetingRequest; reason?: unknown }[] = [];
    const fake: GreetingSpeaker = {
      speak: (request, signal, reached) =>
        new Promise((resolve) => {
          reached('speaking');
          const call: (typeof calls)[number] = { request };
          calls.push(call);
          signal.addEventListener('abort', () => {
            call.reason = signal.reason;
            resolve();
          });
        }),
    };
    w.app.greeting.attach(fake);
    await after(3600); // the next hour: Alice may be greeted again
    await join('alice', c.squadB);
    await after(31);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.request).toMatchObject({ channelId: c.squadB, userId: m.alice, voice: null, speed: null });
    await join('dan', c.squadA); // another channel: nothing happens
    expect(calls[0]!.reason).toBeUndefined();
    await join('bob', c.squadB);
    await eventually(() => expect((calls[0]!.reason as Error | undefined)?.message).toBe('someone else joined'));
    await w.app.greeting.idle();
    expect(w.app.greeting.outcomes.at(-1)).toMatchObject({ userId: m.alice, result: 'cancelled', reached: 'speaking', error: 'someone else joined' });
  });
});
