/**
 * The voice server's UDP side: one socket on 127.0.0.1 for every voice session, as a Discord voice
 * server has. It answers IP discovery (type 1 → type 2 with the sender's address and port) and hands
 * each RTP packet to the session its SSRC belongs to; anything else (keep-alives, unknown SSRCs) is
 * dropped, as Discord drops it.
 * @see https://discord.com/developers/docs/topics/voice-connections#ip-discovery
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { rtpSsrc } from './transport-crypto.js';

export type RtpHandler = (packet: Buffer, from: RemoteInfo) => void;

export class VoiceUdp {
  readonly #socket: Socket = createSocket('udp4');
  readonly #handlers = new Map<number, RtpHandler>();
  #port = 0;
  /** Packets received for an SSRC no session holds. */
  strays = 0;

  async listen(): Promise<void> {
    this.#socket.on('message', (packet, from) => this.#onMessage(packet, from));
    this.#socket.on('error', (error) => console.error('[emulator] voice UDP error', error));
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    this.#port = this.#socket.address().port;
  }

  get port(): number {
    return this.#port;
  }

  /** Routes RTP with this SSRC to `handler` until `release`. */
  claim(ssrc: number, handler: RtpHandler): void {
    this.#handlers.set(ssrc, handler);
  }

  release(ssrc: number): void {
    this.#handlers.delete(ssrc);
  }

  #onMessage(packet: Buffer, from: RemoteInfo): void {
    if (packet.length === 74 && packet.readUInt16BE(0) === 1 && packet.readUInt16BE(2) === 70) return this.#discover(packet, from);
    const ssrc = rtpSsrc(packet);
    if (ssrc === null) return;
    const handler = this.#handlers.get(ssrc);
    if (!handler) {
      this.strays++;
      return;
    }
    handler(packet, from);
  }

  /** IP discovery: type 2, length 70, the SSRC, the address as seen (null-terminated, 64 bytes), the port. */
  #discover(request: Buffer, from: RemoteInfo): void {
    const ssrc = request.readUInt32BE(4);
    if (!this.#handlers.has(ssrc)) return;
    const reply = Buffer.alloc(74);
    reply.writeUInt16BE(2, 0);
    reply.writeUInt16BE(70, 2);
    reply.writeUInt32BE(ssrc, 4);
    reply.write(from.address, 8, 63, 'utf8');
    reply.writeUInt16BE(from.port, 72);
    this.#socket.send(reply, from.port, from.address);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
