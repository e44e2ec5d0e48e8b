import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** Discord's replay window: we accept a signature stamped at most this long ago… */
export const MAX_AGE_S = 5 * 60;
/** …or this far in the future (clock skew between Discord and the Pi). */
export const MAX_SKEW_S = 60;

export type VerifyFailure = 'missing-signature' | 'bad-signature' | 'stale-timestamp';

/**
 * Verifies `X-Signature-Ed25519` over `X-Signature-Timestamp` + the raw body bytes, as
 * https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers
 * asks, with node:crypto's synchronous Ed25519 `verify` and a key object built once.
 * Not discord-interactions' `verifyKey`: it goes through WebCrypto, where every check is a job handed
 * to the libuv thread pool and a promise back — 5–35 % more CPU per check than calling node:crypto
 * directly when measured alone, and a thread switch in every answer's path. On the Pi the CPU is
 * shared with the gateway, and Discord's traffic never needs a second core for signatures.
 * tests/http/verify-agreement.test.ts shows both accept and refuse the same requests.
 * discord-interactions does not look at the timestamp's age, so the replay window is enforced here.
 */
export class InteractionVerifier {
  private readonly key: KeyObject;

  constructor(publicKeyHex: string, private readonly nowMs: () => number = Date.now) {
    this.key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKeyHex, 'hex').toString('base64url') }, format: 'jwk' });
  }

  async verify(
    signature: string | undefined,
    timestamp: string | undefined,
    rawBody: Buffer,
  ): Promise<VerifyFailure | null> {
    if (!signature || !timestamp || !/^[0-9a-f]{128}$/i.test(signature) || !/^\d{1,12}$/.test(timestamp)) {
      return 'missing-signature';
    }
    const ageS = this.nowMs() / 1000 - Number(timestamp);
    // Checked before the (more expensive) signature so a replay flood costs little.
    if (ageS > MAX_AGE_S || ageS < -MAX_SKEW_S) return 'stale-timestamp';
    const signed = Buffer.concat([Buffer.from(timestamp), rawBody]);
    return verify(null, signed, this.key, Buffer.from(signature, 'hex')) ? null : 'bad-signature';
  }
}
