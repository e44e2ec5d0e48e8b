/**
 * A self-signed certificate for the emulator's voice WebSocket: @discordjs/voice always connects to
 * `wss://{endpoint}`, so the voice server must speak TLS. The certificate (ECDSA P-256, valid for
 * 127.0.0.1 and localhost) is made at start with node:crypto and a few lines of DER, no program and
 * no package; whoever runs a bot against the emulator adds it to that process's trusted CAs
 * (`tls.setDefaultCACertificates`).
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/** One DER TLV: tag, definite length, content. */
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

const seq = (...c: Buffer[]) => tlv(0x30, ...c);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime (YYMMDDHHMMSSZ): fine until 2049. */
function utcTime(ms: number): Buffer {
  const iso = new Date(ms).toISOString();
  return tlv(0x17, Buffer.from(`${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`));
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

function pem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`.replace('\n\n', '\n');
}

export interface VoiceCertificate {
  /** PEM of the certificate: what a client trusts. */
  cert: string;
  /** PEM of the private key (PKCS #8): what the server presents with. */
  key: string;
}

/** A fresh self-signed CA certificate for 127.0.0.1 / localhost, valid from a day ago for ten years. */
export function selfSignedCertificate(now = Date.now()): VoiceCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const serial = randomBytes(16);
  // Positive (high bit clear) and minimal (first byte not zero): DER refuses a leading zero byte the
  // value does not need ("illegal padding"), which a plain `&= 0x7f` left in 1 certificate of 128.
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  // A name of its own: OpenSSL finds an issuer by name, so two emulators' certificates trusted in one
  // process must not share one (the second would be checked against the first's key).
  const name = seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(`rollcall emulator voice server ${serial.toString('hex').slice(0, 12)}`)))));
  const altNames = seq(tlv(0x87, Buffer.from([127, 0, 0, 1])), tlv(0x82, Buffer.from('localhost')));
  const extensions = tlv(0xa3, seq(seq(oid('2.5.29.19'), tlv(0x01, Buffer.from([0xff])), tlv(0x04, seq(tlv(0x01, Buffer.from([0xff]))))), seq(oid('2.5.29.17'), tlv(0x04, altNames))));
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    ECDSA_SHA256,
    name,
    seq(utcTime(now - 86_400_000), utcTime(now + 10 * 365 * 86_400_000)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.from([0]), signature));
  return { cert: pem('CERTIFICATE', der), key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}
