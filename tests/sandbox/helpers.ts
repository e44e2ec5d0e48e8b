/**
 * Helpers for the emulator's own tests: a stand-in bot HTTP endpoint that really verifies the
 * Ed25519 signature (with discord-interactions), a tiny PNG, and polling.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import { verifyKey } from 'discord-interactions';

export interface ReceivedInteraction {
  body: Record<string, any>;
  signatureValid: boolean;
  headers: Record<string, string | string[] | undefined>;
}

export interface BotStub {
  url: string;
  received: ReceivedInteraction[];
  close(): Promise<void>;
}

/**
 * A plain node:http "bot": verifies the signature like a real app (401 when invalid), answers PING
 * with PONG, and everything else with `respond(interaction)` (JSON).
 */
export async function startBotStub(publicKey: string, respond: (interaction: Record<string, any>) => unknown | Promise<unknown>): Promise<BotStub> {
  const received: ReceivedInteraction[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const signature = String(req.headers['x-signature-ed25519'] ?? '');
    const timestamp = String(req.headers['x-signature-timestamp'] ?? '');
    const signatureValid = await verifyKey(raw, signature, timestamp, publicKey);
    if (!signatureValid) {
      res.writeHead(401).end('invalid request signature');
      return;
    }
    const body = JSON.parse(raw.toString('utf8')) as Record<string, any>;
    received.push({ body, signatureValid, headers: req.headers });
    const answer = body.type === 1 ? { type: 1 } : await respond(body);
    if (answer === undefined) {
      res.writeHead(204).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/interactions`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs = 5000, everyMs = 10): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid `width`×`height` grey PNG. */
export function tinyPng(width = 4, height = 3): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.concat(Array.from({ length: height }, () => Buffer.concat([Buffer.from([0]), Buffer.alloc(width, 0x80)])));
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}
