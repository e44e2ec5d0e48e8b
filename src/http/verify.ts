import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** Discord's replay window: we accept a signature stamped at most this long ago… */
export const MAX_AGE_S = 5 * 60;
/** …or this far in the future (clock skew between Discord and the Pi). */
export const MAX_SKEW_S = 60;

export type VerifyFailure = 'missing-signature' | 'bad-signature' | 'stale-timestamp';

/**
 * Verifies `X-Signature-Ed25519` over `X-Signature-Timestamp` + the raw body bytes, as
 * https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers
 * asks, with node:crypto's Ed25519 `verify` and a key object built once. The callback form runs the
 * check on libuv's thread pool, so the event loop parses and answers other requests meanwhile and a
 * burst spreads over the cores.
 * Not discord-interactions' `verifyKey`: it is the same OpenSSL check behind WebCrypto, which adds
 * per-call algorithm normalisation, a hex parser in JavaScript, copies and a job object; in
 * `npm run bench -- interactions` the WebCrypto path cost 12–20 % more server CPU per PING.
 * tests/http/verify-agreement.test.ts shows both accept and refuse the same requests.
 * discord-interactions does not look at the timestamp's age, so the replay window is enforced here.
 */
export class InteractionVerifier {
  private readonly key: KeyObject;

  constructor(
    publicKeyHex: string,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKeyHex, 'hex').toString('base64url') }, format: 'jwk' });
  }

  async verify(signature: string | undefined, timestamp: string | undefined, rawBody: Buffer): Promise<VerifyFailure | null> {
    if (!signature || !timestamp || !/^[0-9a-f]{128}$/i.test(signature) || !/^\d{1,12}$/.test(timestamp)) {
      return 'missing-signature';
    }
    const ageS = this.nowMs() / 1000 - Number(timestamp);
    // Checked before the (more expensive) signature so a replay flood costs little.
    if (ageS > MAX_AGE_S || ageS < -MAX_SKEW_S) return 'stale-timestamp';
    const signed = Buffer.concat([Buffer.from(timestamp), rawBody]);
    // An error (it would take a malformed key) is a refusal, as in verifyKey.
    const valid = await new Promise<boolean>((resolve) => {
      verify(null, signed, this.key, Buffer.from(signature, 'hex'), (error, ok) => resolve(!error && ok));
    });
    return valid ? null : 'bad-signature';
  }
}
