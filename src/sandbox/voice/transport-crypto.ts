/**
 * Transport encryption of voice RTP packets, the two modes Discord offers today, as a voice server
 * opens them: the RTP header (with CSRCs and the extension preamble: "rtpsize") is the additional
 * data, a 32-bit big-endian counter appended to the packet is the nonce, zero-padded to the cipher's
 * size. AES-256-GCM and ChaCha20-Poly1305 come from node:crypto; XChaCha20 is HChaCha20 (below)
 * turning the key and the first 16 nonce bytes into a subkey for the 12-byte-nonce IETF cipher.
 * @see https://discord.com/developers/docs/topics/voice-connections#transport-encryption-modes
 * @see https://datatracker.ietf.org/doc/html/draft-irtf-cfrg-xchacha-03
 */
import { createDecipheriv } from 'node:crypto';

export const ENCRYPTION_MODES = ['aead_aes256_gcm_rtpsize', 'aead_xchacha20_poly1305_rtpsize'] as const;
export type EncryptionMode = (typeof ENCRYPTION_MODES)[number];

const TAG = 16;

/** An RTP packet's fields the voice server reads. */
export interface RtpPacket {
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** The decrypted payload: the Opus frame (possibly DAVE-encrypted), header extension removed. */
  payload: Buffer;
}

/** SSRC of an RTP packet, or null when it is not RTP version 2 carrying Opus (payload type 120). */
export function rtpSsrc(packet: Buffer): number | null {
  if (packet.length < 12 || packet[0]! >> 6 !== 2 || (packet[1]! & 0x7f) !== 120) return null;
  return packet.readUInt32BE(8);
}

const rotl = (v: number, n: number) => (v << n) | (v >>> (32 - n));

/** HChaCha20(key, 16-byte nonce) → 32-byte subkey. */
export function hchacha20(key: Uint8Array, nonce16: Uint8Array): Buffer {
  const k = Buffer.from(key);
  const n = Buffer.from(nonce16);
  const s = new Uint32Array(16);
  s.set([0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]);
  for (let i = 0; i < 8; i++) s[4 + i] = k.readUInt32LE(4 * i);
  for (let i = 0; i < 4; i++) s[12 + i] = n.readUInt32LE(4 * i);
  const qr = (a: number, b: number, c: number, d: number) => {
    s[a] = s[a]! + s[b]!;
    s[d] = rotl(s[d]! ^ s[a]!, 16);
    s[c] = s[c]! + s[d]!;
    s[b] = rotl(s[b]! ^ s[c]!, 12);
    s[a] = s[a]! + s[b]!;
    s[d] = rotl(s[d]! ^ s[a]!, 8);
    s[c] = s[c]! + s[d]!;
    s[b] = rotl(s[b]! ^ s[c]!, 7);
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12);
    qr(1, 5, 9, 13);
    qr(2, 6, 10, 14);
    qr(3, 7, 11, 15);
    qr(0, 5, 10, 15);
    qr(1, 6, 11, 12);
    qr(2, 7, 8, 13);
    qr(3, 4, 9, 14);
  }
  const out = Buffer.alloc(32);
  [0, 1, 2, 3, 12, 13, 14, 15].forEach((word, i) => out.writeUInt32LE(s[word]!, 4 * i));
  return out;
}

/** AEAD_XChaCha20_Poly1305 decryption of `ciphertext || tag`; throws when the tag does not match. */
export function xchacha20poly1305Open(key: Uint8Array, nonce24: Uint8Array, sealed: Buffer, aad: Buffer): Buffer {
  const subkey = hchacha20(key, nonce24.subarray(0, 16));
  const nonce = Buffer.concat([Buffer.alloc(4), Buffer.from(nonce24.subarray(16, 24))]);
  const decipher = createDecipheriv('chacha20-poly1305', subkey, nonce, { authTagLength: TAG });
  decipher.setAAD(aad, { plaintextLength: sealed.length - TAG });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG)), decipher.final()]);
}

function aesGcmOpen(key: Uint8Array, nonce12: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce12, { authTagLength: TAG });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG)), decipher.final()]);
}

/**
 * Opens one RTP packet sent with `mode` and `key`. Throws when it is too short or fails
 * authentication (a wrong key, a tampered packet).
 */
export function openRtp(packet: Buffer, mode: EncryptionMode, key: Uint8Array): RtpPacket {
  const csrcs = packet[0]! & 0x0f;
  const extended = (packet[0]! & 0x10) !== 0;
  const headerLength = 12 + 4 * csrcs + (extended ? 4 : 0);
  if (packet.length < headerLength + TAG + 4) throw new Error(`RTP packet too short (${packet.length} bytes)`);
  const aad = packet.subarray(0, headerLength);
  const counter = packet.subarray(packet.length - 4);
  const sealed = packet.subarray(headerLength, packet.length - 4);
  let plain: Buffer;
  if (mode === 'aead_aes256_gcm_rtpsize') plain = aesGcmOpen(key, Buffer.concat([counter, Buffer.alloc(8)]), sealed, aad);
  else plain = xchacha20poly1305Open(key, Buffer.concat([counter, Buffer.alloc(20)]), sealed, aad);
  // The extension's body (its length in 32-bit words is in the preamble) is encrypted with the payload.
  const extensionBody = extended ? 4 * packet.readUInt16BE(headerLength - 2) : 0;
  return { sequence: packet.readUInt16BE(2), timestamp: packet.readUInt32BE(4), ssrc: packet.readUInt32BE(8), payload: plain.subarray(extensionBody) };
}
