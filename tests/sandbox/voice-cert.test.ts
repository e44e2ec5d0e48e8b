import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../src/sandbox/voice/cert.js';

describe("the voice server's self-signed certificate", () => {
  it('is valid DER every time (a serial with a needless leading zero byte was refused 1 time in 128)', () => {
    for (let i = 0; i < 400; i++) {
      const { cert, key } = selfSignedCertificate();
      const x509 = new X509Certificate(cert);
      expect(x509.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/); // 16 bytes, positive
      expect(x509.checkHost('localhost')).toBe('localhost');
      expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
      expect(() => createSecureContext({ key, cert })).not.toThrow();
    }
  });
});
