import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** A real Ed25519 key pair standing in for Discord's; the server under test gets the public half. */
export interface TestKeys {
  publicKeyHex: string;
  privateKey: KeyObject;
  sign(timestamp: string, body: string | Buffer): string;
}

export function createTestKeys(): TestKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return {
    publicKeyHex: der.subarray(der.length - 32).toString('hex'),
    privateKey,
    sign: (timestamp, body) => sign(null, Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]), privateKey).toString('hex'),
  };
}
