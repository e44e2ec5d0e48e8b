import { randomBytes, randomInt } from 'node:crypto';
import { verifyKey } from 'discord-interactions';
import { describe, expect, it } from 'vitest';
import { InteractionVerifier } from '../../src/http/verify.js';
import { command, ping, str } from '../helpers/interactions.js';
import { createTestKeys, type TestKeys } from '../helpers/keys.js';

/**
 * src/http/verify.ts checks signatures with node:crypto instead of discord-interactions' `verifyKey`
 * (WebCrypto). This shows the two accept exactly the same signed requests, valid and forged.
 */
const keys = createTestKeys();
const verifier = new InteractionVerifier(keys.publicKeyHex);
const now = () => String(Math.floor(Date.now() / 1000));

interface Sent {
  signature: string;
  timestamp: string;
  body: Buffer;
}

function signedBy(signer: TestKeys, body: string | Buffer, timestamp = now()): Sent {
  return { signature: signer.sign(timestamp, body), timestamp, body: Buffer.from(body) };
}

/** Both verdicts for one request: ours (null = accepted) and discord-interactions' with the hex key, as its docs use it. */
async function verdicts(sent: Sent, publicKeyHex = keys.publicKeyHex, ours = verifier) {
  return {
    ours: (await ours.verify(sent.signature, sent.timestamp, sent.body)) === null,
    theirs: await verifyKey(sent.body, sent.signature, sent.timestamp, publicKeyHex),
  };
}

const flipByte = (hex: string, index: number, mask = 0x01) => {
  const bytes = Buffer.from(hex, 'hex');
  bytes[index] = bytes[index]! ^ mask;
  return bytes.toString('hex');
};

/** Ed25519's group order L; a signature's S must be below it (RFC 8032 §5.1.7). */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

describe('signature check: node:crypto agrees with discord-interactions verifyKey', () => {
  it('both accept genuine signatures: PING, a command with non-ASCII text, an empty body, an upper-case hex signature', async () => {
    const pong = signedBy(keys, JSON.stringify(ping()));
    const cases = [pong, signedBy(keys, JSON.stringify(command('config', 'timezone', [str('zone', 'Europe/Zürich 🎮')]))), signedBy(keys, ''), { ...pong, signature: pong.signature.toUpperCase() }];
    for (const sent of cases) expect(await verdicts(sent)).toEqual({ ours: true, theirs: true });
  });

  it('both refuse a signature made with another key, a changed body and a changed timestamp', async () => {
    const body = JSON.stringify(command('config', 'show'));
    const genuine = signedBy(keys, body);
    const cases = [
      signedBy(createTestKeys(), body),
      { ...genuine, body: Buffer.from(body.replace('"show"', '"shoW"')) },
      { ...genuine, body: Buffer.concat([genuine.body, Buffer.from(' ')]) },
      { ...genuine, timestamp: String(Number(genuine.timestamp) - 1) },
    ];
    for (const sent of cases) expect(await verdicts(sent)).toEqual({ ours: false, theirs: false });
  });

  it('both refuse every single-byte corruption of a genuine signature', async () => {
    const genuine = signedBy(keys, JSON.stringify(ping()));
    for (let i = 0; i < 64; i++) {
      expect(await verdicts({ ...genuine, signature: flipByte(genuine.signature, i, 1 << (i % 8)) }), `byte ${i}`).toEqual({ ours: false, theirs: false });
    }
  });

  it('both refuse a malleated signature (S + L, the same curve point) and an all-zero one', async () => {
    const genuine = signedBy(keys, JSON.stringify(ping()));
    const sig = Buffer.from(genuine.signature, 'hex');
    const s = BigInt(`0x${Buffer.from(sig.subarray(32)).reverse().toString('hex')}`) + L;
    const sPlusL = Buffer.from(s.toString(16).padStart(64, '0'), 'hex').reverse();
    const malleated = Buffer.concat([sig.subarray(0, 32), sPlusL]).toString('hex');
    expect(await verdicts({ ...genuine, signature: malleated })).toEqual({ ours: false, theirs: false });
    expect(await verdicts({ ...genuine, signature: '0'.repeat(128) })).toEqual({ ours: false, theirs: false });
  });

  it('both give the same verdict for a small-order public key (the identity point) and an all-zero signature', async () => {
    const identity = `01${'0'.repeat(62)}`;
    const weak = new InteractionVerifier(identity);
    const sent = { signature: `01${'0'.repeat(126)}`, timestamp: now(), body: Buffer.from(JSON.stringify(ping())) };
    const { ours, theirs } = await verdicts(sent, identity, weak);
    expect(ours).toBe(theirs);
  });

  it('both give the same verdict on 300 random corruptions of signature, body and timestamp', async () => {
    const body = JSON.stringify(command('config', 'show'));
    for (let i = 0; i < 300; i++) {
      const genuine = signedBy(keys, body);
      const mutated: Sent = { ...genuine, body: Buffer.from(genuine.body) };
      switch (i % 4) {
        case 0:
          mutated.signature = flipByte(genuine.signature, randomInt(64), 1 << randomInt(8));
          break;
        case 1: {
          const at = randomInt(mutated.body.length);
          mutated.body[at] = mutated.body[at]! ^ (1 << randomInt(8));
          break;
        }
        case 2:
          mutated.signature = randomBytes(64).toString('hex');
          break;
        default:
          // Left genuine: a quarter of the cases must be accepted by both.
          break;
      }
      const v = await verdicts(mutated);
      expect(v.ours, `case ${i}`).toBe(v.theirs);
      if (i % 4 === 3) expect(v.ours).toBe(true);
    }
  });
});
