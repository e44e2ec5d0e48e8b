import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, type World } from '../helpers/world.js';
import { startGreetingWorld, type GreetingWorld } from './world.js';

type Key = 'alice' | 'bob' | 'carol' | 'dan';

/**
 * The greeting heard: the bot speaks through @discordjs/voice to the emulator's voice server (voice
 * gateway v8, UDP, transport encryption, DAVE with Alice's emulated client in the group), and the
 * emulator decodes what arrives.
 */
describe('the greeting through the emulator voice server', () => {
  let w: World;
  let m: Record<Key, string>;
  let c: Record<'squadA' | 'squadB' | 'afk' | 'tonight', string>;
  let guild: string;

  const ops = () => w.emu.voiceOps.map((op) => op.channel_id);
  const botInVoice = () => w.emu.voiceStates().some((v) => v.user_id === w.emu.applicationId);
  const greetAlice = async () => {
    await w.emu.joinVoice(m.alice, c.squadA);
    await eventually(async () => {
      await w.settle();
      return (await w.app.voice.currentStay(guild, m.alice))?.channelId === c.squadA;
    });
    w.clock.advance(11_000);
    await w.tick();
  };

  beforeEach(async () => {
    let admin: GreetingWorld['admin'];
    // Bob said he would play at 9: "Hi Al. Tonight: Bob at 9."
    ({ w, m, c, guild, admin } = (await startGreetingWorld([['bob', '🕘']])) as GreetingWorld & { m: Record<Key, string> });
    expect(await admin('voice-greeting', [{ name: 'state', value: 'on' }])).toContain('✅');
  }, 30_000);
  afterEach(() => w.close());

  it('reaches Ready, speaks one DAVE-encrypted utterance as long as the sentence, then leaves', async () => {
    await greetAlice();
    await eventually(() => expect(w.app.greeting.outcomes.at(-1)?.result).toBe('spoken'), 20_000);
    const outcome = w.app.greeting.outcomes.at(-1)!;
    expect(outcome.reached).toBe('speaking');
    await eventually(() => expect(w.emu.voiceUtterances().filter((u) => !u.open)).toHaveLength(1));
    const [u] = w.emu.voiceUtterances();
    console.log(u, w.emu.voiceClientErrors());
    expect(u).toMatchObject({ guild_id: guild, channel_id: c.squadA, user_id: w.emu.applicationId, dave: true });
    expect(ops()).toEqual([c.squadA, null]);
    expect(botInVoice()).toBe(false);
  }, 40_000);
});
