import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeGreeting } from '../../src/interactions/commands/config-greeting.js';
import { VoiceGreetingService, type GreetingRequest, type GreetingSpeaker } from '../../src/shared/services/voice-greeting.js';
import { greetingSentence } from '../../src/voice/sentence.js';
import { eventually, startWorld, type World } from '../helpers/world.js';

/**
 * The rules around the greeting, with a speaker that only records (what is said is tested in
 * sentence.test.ts, how it reaches voice in emulator.test.ts): nobody else coming, the wording
 * switch, settings and their bad input.
 */
describe('voice greeting rules', () => {
  let w: World;
  let alice: string, bob: string;
  let squadA: string;
  let guild: string;
  const said: GreetingRequest[] = [];
  const recorder: GreetingSpeaker = { speak: async (request) => void said.push(request) };

  const admin = async (sub: string, options: unknown[] = []) => {
    const r = await w.emu.runCommand(alice, 'config', [{ name: sub, options } as never]);
    return String((await r.final()).content);
  };
  const joinAlone = async (who: string) => {
    await w.emu.joinVoice(who, squadA);
    await eventually(async () => {
      await w.settle();
      return (await w.app.voice.currentStay(guild, who))?.channelId === squadA;
    });
  };
  const leave = async (who: string) => {
    await w.emu.leaveVoice(who);
    await eventually(async () => {
      await w.settle();
      return (await w.app.voice.currentStay(guild, who)) === undefined;
    });
  };
  const after = async (seconds: number) => {
    w.clock.advance(seconds * 1000);
    await w.tick();
    await w.app.greeting.idle();
  };

  beforeAll(async () => {
    // 20:00 in New York; no daily message at all yet.
    w = await startWorld({ now: '2026-11-24T01:00:00Z' });
    const f = w.emu.fixture;
    [alice, bob, squadA, guild] = [f.members.alice.id, f.members.bob.id, f.channels.squadA, f.guildId];
    await eventually(() => w.app.greeting.attached);
    w.app.greeting.attach(recorder);
  }, 30_000);
  afterAll(() => w.close());

  it('refuses bad settings with a clear message and keeps what was there', async () => {
    expect(
      await admin('voice-greeting', [
        { name: 'state', value: 'on' },
        { name: 'voice', value: '--rm -rf' },
      ]),
    ).toBe('`--rm -rf` is not an espeak-ng voice name. Try en-us, en-gb, fr, de or en-us+f3.');
    expect((await w.app.greetingSettings.get(guild)).enabled).toBe(false);
    await expect(w.app.greetingSettings.setDelay(guild, 0)).rejects.toThrow('The delay must be a whole number of seconds from 1 to 600 (got 0).');
    await expect(w.app.greeting.setEnabled(guild, true, { speed: 20 })).rejects.toThrow('The speed must be 80–400 words per minute (got 20).');
    expect(await w.app.greetingSettings.get(guild)).toEqual({ guildId: guild, enabled: false, delaySeconds: 10, voice: null, speed: null, sayNobody: false });
  });

  it('keeps voice, speed and wording across on/off, and /config show lists them', async () => {
    const reply = await admin('voice-greeting', [
      { name: 'state', value: 'on' },
      { name: 'voice', value: 'EN-GB+f3' },
      { name: 'speed', value: 150 },
    ]);
    expect(reply).toContain('Voice greeting: on — after 10 s alone in voice, voice en-gb+f3 at 150 wpm');
    await admin('voice-greeting', [{ name: 'state', value: 'off' }]);
    expect(await admin('show')).toContain('Voice greeting: off');
    expect(await admin('voice-greeting', [{ name: 'state', value: 'on' }])).toContain('voice en-gb+f3 at 150 wpm');
  });

  it('says "unavailable" in /config show when this machine cannot speak', () => {
    const settings = { guildId: guild, enabled: true, delaySeconds: 10, voice: null, speed: null, sayNobody: false };
    expect(describeGreeting(settings, { available: false, reason: 'speech does not work: eSpeak NG produced no audio' })).toBe(
      'Voice greeting: on — after 10 s alone in voice, voice en-us at 165 wpm\n  ⚠️ unavailable on this bot: speech does not work: eSpeak NG produced no audio',
    );
  });

  it('does not greet when nobody else is coming', async () => {
    await joinAlone(alice);
    await after(11);
    expect(said).toEqual([]);
    await leave(alice);
  });

  it('with "say nobody" on, greets with "Nobody else has signed up yet"', async () => {
    expect(
      await admin('voice-greeting', [
        { name: 'state', value: 'on' },
        { name: 'say-nobody', value: true },
      ]),
    ).toContain('also when nobody else signed up');
    // Alice was not greeted above, so this same hour is fine.
    await joinAlone(alice);
    await after(11);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ channelId: squadA, userId: alice, voice: 'en-gb+f3', speed: 150 });
    expect(greetingSentence(said[0]!.facts)).toBe('Hi Al. Nobody else has signed up yet.');
    await leave(alice);
  });

  it('never greets a member who turned voice tracking off (/privacy)', async () => {
    const at = w.clock.now() + 7_200_000;
    expect(await w.app.greeting.shouldGreet(guild, bob, at)).toBe(true);
    await w.app.privacy.setTracking(guild, bob, false);
    expect(await w.app.greeting.shouldGreet(guild, bob, at)).toBe(false);
    await w.app.privacy.setTracking(guild, bob, true);
  });

  it('never greets bots, and turning it off forgets a greeting still waiting', async () => {
    const beep = w.emu.fixture.members.beep.id;
    await w.emu.joinVoice(beep, squadA);
    await w.settle();
    await after(11);
    expect(said).toHaveLength(1);
    await w.emu.leaveVoice(beep);
    await w.settle();

    await joinAlone(bob);
    await admin('voice-greeting', [{ name: 'state', value: 'off' }]);
    await after(11);
    expect(said).toHaveLength(1);
  });

  it('in production a real timer, not only a tick, wakes the check when the delay is over', async () => {
    w.app.greeting.attach(recorder)(); // the app's own service steps aside for this one
    await leave(bob);
    const timers: { fn: () => void; ms: number; cancelled: boolean }[] = [];
    const { db, clock, log, voice, guilds, guildConfig, posts, members } = w.app; // not the whole app: its SQLite handle is not there on PostgreSQL
    const service = new VoiceGreetingService({
      db,
      clock,
      log,
      voice,
      guilds,
      guildConfig,
      posts,
      members,
      settings: w.app.greetingSettings,
      setTimer: (fn, ms) => {
        const t = { fn, ms, cancelled: false };
        timers.push(t);
        return () => void (t.cancelled = true);
      },
    });
    const heard: GreetingRequest[] = [];
    service.attach({ speak: async (request) => void heard.push(request) });
    await service.setEnabled(guild, true);
    const carol = w.emu.fixture.members.carol.id;
    await joinAlone(carol);
    const stay = (await w.app.voice.currentStay(guild, carol))!;
    await service.onVoiceState(guild, { userId: carol, channelId: squadA, bot: false }, stay.startedAt);
    expect(timers.map((t) => t.ms)).toEqual([10_000]);
    w.clock.advance(10_000);
    timers[0]!.fn();
    await eventually(() => heard.length === 1);
    await service.idle();
    expect(heard[0]).toMatchObject({ userId: carol, channelId: squadA });
    // The greeting's own 60 s bound was armed, then disarmed when it ended.
    expect(timers.map((t) => [t.ms, t.cancelled])).toEqual([
      [10_000, true],
      [60_000, true],
    ]);
    await service.stop();
  });
});
