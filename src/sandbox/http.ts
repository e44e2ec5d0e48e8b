/**
 * The one HTTP server on 127.0.0.1: `/api[/v10]` → REST, `/control` → control API, `/attachments`
 * → uploaded files (Discord's CDN), upgrade on `/gateway` → the gateway, `/` → the sandbox page
 * (src/sandbox/web). Anything else is 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { GatewayServer } from './ws-gateway/server.js';
import type { Router } from './rest/router.js';
import { apiPath, handleRest, type RestServerParts } from './rest/server.js';
import type { World } from './state/world.js';
import { servePage } from './web/serve.js';

export interface HttpParts {
  world: World;
  rest: RestServerParts;
  router: Router;
  gateway: GatewayServer;
  control: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** `GET /attachments/{channel}/{attachment}/{filename}`: the stored bytes. */
function serveAttachment(world: World, pathname: string, res: ServerResponse): void {
  const [, , channelId, id] = pathname.split('/');
  const attachment = (world.channelMessages.get(channelId ?? '') ?? []).flatMap((m) => m.attachments).find((a) => a.id === id);
  if (!attachment) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
    return;
  }
  res.writeHead(200, { 'Content-Type': attachment.contentType ?? 'application/octet-stream', 'Content-Length': attachment.size }).end(attachment.bytes);
}

const BAD_REQUEST = { message: '400: Bad Request', code: 0 };
const INTERNAL_ERROR = { message: '500: Internal Server Error', code: 0 };

/** The request-target as a URL, or null when it cannot be parsed (e.g. `//`, `//[`). */
function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/** Answers a raw upgrade socket with a status line and Discord's JSON error, then closes it. */
function refuseUpgrade(socket: Duplex, status: string, body: unknown): void {
  const text = JSON.stringify(body);
  socket.on('error', () => {});
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`, () => socket.destroy());
}

export function createHttpServer(parts: HttpParts): Server {
  const { counters } = parts.world;
  /** The last resort: whatever escaped a handler is answered 500, counted and logged, never fatal. */
  const crashed = (where: string, e: unknown, res: ServerResponse) => {
    counters.internalError();
    console.error(`[emulator] ${where} failed`, e);
    if (!res.headersSent) json(res, 500, INTERNAL_ERROR);
    else if (!res.writableEnded) res.destroy();
  };
  const server = createServer((req, res) => {
    try {
      const url = requestUrl(req);
      if (url === null) {
        req.resume();
        json(res, 400, BAD_REQUEST);
        return;
      }
      const api = apiPath(url.pathname);
      let work: Promise<void>;
      if (api !== null) work = handleRest(parts.rest, parts.router, req, res, api, url.searchParams);
      else if (url.pathname === '/control' || url.pathname.startsWith('/control/')) work = parts.control(req, res, url);
      else if (url.pathname.startsWith('/attachments/')) work = Promise.resolve(serveAttachment(parts.world, url.pathname, res));
      else work = servePage(req, res, url.pathname).then((served) => void (served || json(res, 404, { message: '404: Not Found', code: 0 })));
      work.catch((e: unknown) => crashed('request', e, res));
    } catch (e) {
      crashed('request', e, res);
    }
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      const url = requestUrl(req);
      if (url === null) return refuseUpgrade(socket, '400 Bad Request', BAD_REQUEST);
      if (url.pathname.replace(/\/+$/, '') !== '/gateway') return refuseUpgrade(socket, '404 Not Found', { message: '404: Not Found', code: 0 });
      parts.gateway.handleUpgrade(req, socket, head, url.searchParams);
    } catch (e) {
      counters.internalError();
      console.error('[emulator] upgrade failed', e);
      refuseUpgrade(socket, '500 Internal Server Error', INTERNAL_ERROR);
    }
  });
  return server;
}
