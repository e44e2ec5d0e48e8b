/**
 * What the soak suite reads from and asks of the emulator: the ground truth of a message's
 * reactions, and Discord's signature over any bytes (valid signatures over garbage).
 */
import { createPublicKey, verify } from 'node:crypto';
import { REST } from '@discordjs/rest';
import { Routes, type APIMessage } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';

let emu: Emulator;
afterEach(async () => {
  await emu?.close();
});

/** Ed25519 check with the raw public key, as a bot does it. */
function valid(publicKeyHex: string, signature: string, timestamp: string, body: Buffer): boolean {
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(publicKeyHex, 'hex')]), format: 'der', type: 'spki' });
  return verify(null, Buffer.concat([Buffer.from(timestamp), body]), key, Buffer.from(signature, 'hex'));
}

describe('soak support', () => {
  it('reactionUsers lists who holds each emoji, the bot included, in reaction order', async () => {
    emu = await startEmulator();
    const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    const tonight = emu.fixture.channels.tonight;
    const msg = (await rest.post(Routes.channelMessages(tonight), { body: { content: 'Who is in?' } })) as APIMessage;
    await rest.put(Routes.channelMessageOwnReaction(tonight, msg.id, encodeURIComponent('🕘')));
    const { alice, bob } = emu.fixture.members;
    await emu.react(bob.id, tonight, msg.id, '🕘');
    await emu.react(alice.id, tonight, msg.id, '🕘');
    await emu.react(alice.id, tonight, msg.id, '🕙');
    await emu.unreact(alice.id, tonight, msg.id, '🕙');
    expect(emu.reactionUsers(tonight, msg.id)).toEqual({ '🕘': [emu.world.botUserId, bob.id, alice.id] });
  });

  it('signedHeaders signs any bytes with the application key, at the given timestamp', async () => {
    emu = await startEmulator();
    const garbage = Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x22]);
    const h = emu.signedHeaders(garbage, 1_700_000_000);
    expect(h['x-signature-timestamp']).toBe('1700000000');
    expect(valid(emu.publicKey, h['x-signature-ed25519'], '1700000000', garbage)).toBe(true);
    const text = '{"type":1}';
    const t = emu.signedHeaders(text);
    expect(valid(emu.publicKey, t['x-signature-ed25519'], t['x-signature-timestamp'], Buffer.from(text))).toBe(true);
    expect(valid(emu.publicKey, t['x-signature-ed25519'], t['x-signature-timestamp'], Buffer.from(text + ' '))).toBe(false);
  });
});

describe('voice ground truth', () => {
  it('voiceHistory records each stay: a join opens one, a move closes it and opens the next, a leave closes it', async () => {
    let now = 1_000_000;
    emu = await startEmulator({ now: () => now });
    const { alice, bob } = emu.fixture.members;
    const { squadA, squadB } = emu.fixture.channels as Record<string, string>;
    await emu.joinVoice(alice.id, squadA!);
    now += 1000;
    await emu.joinVoice(bob.id, squadA!);
    await emu.setVoiceFlags(alice.id, { selfMute: true }); // a flag change is no new stay
    now += 2000;
    await emu.joinVoice(alice.id, squadB!);
    now += 500;
    await emu.leaveVoice(alice.id);
    expect(emu.voiceHistory()).toEqual([
      { userId: alice.id, channelId: squadA, from: 1_000_000, to: 1_003_000 },
      { userId: bob.id, channelId: squadA, from: 1_001_000, to: null },
      { userId: alice.id, channelId: squadB, from: 1_003_000, to: 1_003_500 },
    ]);
  });
});
