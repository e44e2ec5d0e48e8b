/**
 * The application's Ed25519 key pair: Discord signs every interaction request with it, and the app
 * verifies `X-Signature-Ed25519` over `timestamp + body` with the public key.
 * @see https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

export class InteractionSigner {
  readonly #privateKey: KeyObject;
  /** The raw 32-byte public key, hex (what the Developer Portal shows as "Public Key"). */
  readonly publicKey: string;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    this.#privateKey = privateKey;
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    this.publicKey = spki.subarray(spki.length - 32).toString('hex');
  }

  /** Hex signature of `timestamp + body` (`bytes`, when given, are the body's exact bytes). */
  sign(timestamp: string, body: string, bytes?: Buffer): string {
    const signed = bytes ? Buffer.concat([Buffer.from(timestamp), bytes]) : Buffer.from(timestamp + body);
    return sign(null, signed, this.#privateKey).toString('hex');
  }
}
