/**
 * The one HTTP server on 127.0.0.1: `/api[/v10]` → REST, `/control` → control API, `/attachments`
 * → uploaded files (Discord's CDN), upgrade on `/gateway` → the gateway, `/` → the sandbox page
 * (src/sandbox/web). Anything else is 404.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

export function createHttpServer(parts: HttpParts): Server {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const api = apiPath(url.pathname);
    let work: Promise<void>;
    if (api !== null) work = handleRest(parts.rest, parts.router, req, res, api, url.searchParams);
    else if (url.pathname === '/control' || url.pathname.startsWith('/control/')) work = parts.control(req, res, url);
    else if (url.pathname.startsWith('/attachments/')) work = Promise.resolve(serveAttachment(parts.world, url.pathname, res));
    else work = servePage(req, res, url.pathname).then((served) => void (served || json(res, 404, { message: '404: Not Found', code: 0 })));
    work.catch((e: unknown) => {
      console.error('[emulator] request failed', e);
      if (!res.headersSent) json(res, 500, { message: '500: Internal Server Error', code: 0 });
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.replace(/\/+$/, '') !== '/gateway') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    parts.gateway.handleUpgrade(req, socket, head, url.searchParams);
  });
  return server;
}
