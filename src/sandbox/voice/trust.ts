/**
 * Lets this process's TLS clients (the `ws` client inside @discordjs/voice) trust an emulator's
 * voice server certificate, on top of the system's CAs. For the process that runs the bot against
 * the emulator (tests, `npm run sandbox`); never for a bot talking to Discord.
 */
import tls from 'node:tls';

const trusted = new Set<string>();

export function trustVoiceCertificate(pem: string): void {
  if (trusted.has(pem)) return;
  trusted.add(pem);
  tls.setDefaultCACertificates([...tls.getCACertificates('default'), pem]);
}
