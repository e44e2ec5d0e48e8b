import { afterEach, describe, expect, it } from 'vitest';
import type { EmulatorOptions } from '../../src/sandbox/index.js';
import { greetingSentence } from '../../src/voice/sentence.js';
import { DEFAULT_VOICE, synthesize } from '../../src/voice/speech.js';
import { eventually, type World } from '../helpers/world.js';
import { startGreetingWorld, type GreetingWorld } from './world.js';

type Key = 'alice' | 'bob' | 'carol' | 'dan';

/**
 * The greeting heard: the bot speaks through @discordjs/voice to the emulator's voice server (voice
 * gateway v8 over TLS, UDP, transport encryption, DAVE with Alice's emulated client in the MLS
 * group), and the emulator decodes what arrives — as a member in the channel would hear it.
 */
describe('the greeting through the emulator voice server', () => {
  let w: World;
  let m: Record<Key, string>;
  let c: Record<'squadA' | 'squadB' | 'afk' | 'tonight', string>;
  let guild: string;

  const ops = () => w.emu.voiceOps.map((op) => op.channel_id);
  let greetAlice: GreetingWorld['greetAlice'];
  let botInVoice: GreetingWorld['botInVoice'];
  /** Bob said he would play at 9, so Alice hears "Hi Al. Tonight: Bob at 9." */
  const start = async (emulator?: EmulatorOptions) => {
    let admin: GreetingWorld['admin'];
    ({ w, m, c, guild, admin, greetAlice, botInVoice } = (await startGreetingWorld([['bob', '🕘']], emulator)) as GreetingWorld & { m: Record<Key, string> });
    expect(await admin('voice-greeting', [{ name: 'state', value: 'on' }])).toContain('✅');
  };
  /** How long the sentence is, as the bot's own synthesis makes it: 20 ms per Opus packet. */
  const sentenceMs = async () => {
    const facts = await w.app.greeting.facts(guild, m.alice, w.clock.now());
    let packets = 0;
    for await (const _ of synthesize(greetingSentence(facts!), { ...DEFAULT_VOICE, timeoutMs: 30_000 }).stream) packets++;
    return packets * 20;
  };
  const speakingStarted = () => eventually(() => w.emu.voiceUtterances().some((u) => u.open && u.packets > 10), 20_000);

  afterEach(() => w.close());

  it('reaches Ready, sets speaking, sends one DAVE-encrypted utterance as long as the sentence, then leaves', async () => {
    await start();
    await greetAlice();
    await eventually(() => expect(w.app.greeting.outcomes.at(-1)?.result).toBe('spoken'), 20_000);
    expect(w.app.greeting.outcomes.at(-1)!.reached).toBe('speaking');
    await eventually(() => expect(w.emu.voiceUtterances().filter((u) => !u.open)).toHaveLength(1));
    const [u] = w.emu.voiceUtterances();
    expect(u).toMatchObject({ guild_id: guild, channel_id: c.squadA, user_id: w.emu.applicationId, dave: true, plain_packets: 0, undecryptable_packets: 0 });
    const expected = await sentenceMs();
    expect(u!.duration_ms).toBeGreaterThan(expected * 0.7);
    expect(u!.duration_ms).toBeLessThan(expected * 1.3);
    // Speech, not silence: eSpeak's voice sits far above the noise floor (digital silence is 0).
    expect(u!.rms).toBeGreaterThan(0.02);
    // The bot said it was speaking (op 5) before its audio, and stopped after.
    const speaking = w.emu.events.filter((e) => e.kind === 'voice' && e.direction === 'in' && e.op === 5).map((e) => (e as { d: { speaking: number } }).d.speaking);
    expect(speaking).toEqual([1, 0]);
    // The control API lists it and serves it decoded: a 48 kHz stereo WAV of the same length.
    const listed = (await (await fetch(`${w.emu.controlUrl}/voice/utterances`)).json()) as unknown[];
    expect(listed).toEqual([expect.objectContaining({ user_id: w.emu.applicationId, dave: true, packets: u!.packets })]);
    const wav = Buffer.from(await (await fetch(`${w.emu.controlUrl}/voice/utterances/0.wav`)).arrayBuffer());
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(48_000);
    expect(Math.round(((wav.length - 44) / 4 / 48_000) * 1000)).toBe(u!.duration_ms);
    expect((await fetch(`${w.emu.controlUrl}/voice/utterances/5.wav`)).status).toBe(404);
    expect(ops()).toEqual([c.squadA, null]);
    expect(botInVoice()).toBe(false);
    expect(w.emu.voiceClientErrors()).toEqual({});
  }, 60_000);

  it('the voice server dropping mid-sentence ends the greeting once, as a failure, and the bot leaves', async () => {
    await start();
    await greetAlice();
    await speakingStarted();
    w.emu.dropVoice({ resumable: false });
    await eventually(() => expect(w.app.greeting.outcomes.at(-1)?.result).toBe('failed'), 15_000);
    await w.app.greeting.idle();
    expect(w.app.greeting.outcomes).toHaveLength(1);
    expect(w.app.greeting.outcomes[0]).toMatchObject({ reached: 'speaking', error: expect.stringContaining('voice') });
    await eventually(() => expect(ops()).toEqual([c.squadA, null]));
    expect(botInVoice()).toBe(false);
  }, 60_000);

  it('a member joining mid-sentence stops it at once', async () => {
    await start();
    await greetAlice();
    await speakingStarted();
    const joined = Date.now();
    await w.emu.joinVoice(m.dan, c.squadA);
    await eventually(() => expect(ops()).toEqual([c.squadA, null]), 5_000);
    expect(Date.now() - joined).toBeLessThan(1_500);
    await w.app.greeting.idle();
    expect(w.app.greeting.outcomes.at(-1)).toMatchObject({ result: 'cancelled', reached: 'speaking' });
    await eventually(() => expect(w.emu.voiceUtterances().filter((u) => !u.open)).toHaveLength(1));
    expect(w.emu.voiceUtterances()[0]!.duration_ms).toBeLessThan((await sentenceMs()) * 0.9);
  }, 60_000);

  it('a member whose client has no DAVE downgrades the channel: the greeting arrives transport-encrypted only (XChaCha20 here)', async () => {
    await start({ voiceModes: ['aead_xchacha20_poly1305_rtpsize'] });
    w.emu.setDaveSupport(m.alice, false);
    await greetAlice();
    await eventually(() => expect(w.app.greeting.outcomes.at(-1)?.result).toBe('spoken'), 20_000);
    await eventually(() => expect(w.emu.voiceUtterances().filter((u) => !u.open)).toHaveLength(1));
    const [u] = w.emu.voiceUtterances();
    expect(u).toMatchObject({ dave: false, undecryptable_packets: 0 });
    expect(u!.plain_packets).toBe(u!.packets);
    expect(u!.rms).toBeGreaterThan(0.02);
    expect(w.emu.events.some((e) => e.kind === 'voice' && e.direction === 'in' && e.op === 1 && (e as { d: { data: { mode: string } } }).d.data.mode === 'aead_xchacha20_poly1305_rtpsize')).toBe(true);
  }, 60_000);
});
