import { webcrypto } from 'node:crypto';
import { verifyKey } from 'discord-interactions';

/** Discord's replay window: we accept a signature stamped at most this long ago… */
export const MAX_AGE_S = 5 * 60;
/** …or this far in the future (clock skew between Discord and the Pi). */
export const MAX_SKEW_S = 60;

export type VerifyFailure = 'missing-signature' | 'bad-signature' | 'stale-timestamp';

/**
 * Verifies `X-Signature-Ed25519` over `X-Signature-Timestamp` + the raw body bytes, as
 * https://discord.com/developers/docs/interactions/overview#setting-up-an-endpoint-validating-security-request-headers
 * asks. The public key is imported once (discord-interactions' `verifyKey` re-imports a hex key on
 * every call, which costs more than the verification itself); the check is still its `verifyKey`.
 * discord-interactions does not look at the timestamp's age, so the replay window is enforced here.
 */
export class InteractionVerifier {
  private readonly key: Promise<webcrypto.CryptoKey>;

  constructor(publicKeyHex: string, private readonly nowMs: () => number = Date.now) {
    this.key = webcrypto.subtle.importKey('raw', Buffer.from(publicKeyHex, 'hex'), { name: 'Ed25519' }, false, ['verify']);
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
    // verifyKey's types say CryptoKey from the DOM lib; node's webcrypto key is the same object.
    const ok = await verifyKey(rawBody, signature, timestamp, (await this.key) as never);
    return ok ? null : 'bad-signature';
  }
}
