/**
 * Serves the sandbox page from the emulator's own port: `/` is the page, `/sandbox/<file>` its
 * scripts and styles (plain ES modules, no bundler, no CDN — it works offline). Same origin as the
 * control API, so the page needs no CORS and no configuration.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The page's files, next to this module (copied beside the compiled one by `npm run build`). */
const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Only plain file names: no folders, no dot files, so nothing outside `public/` can be read. */
const FILE_NAME = /^[a-z0-9][a-z0-9-]*\.(?:html|js|css|svg)$/;

/** The file a page path names, or null when the path is not the page's. */
export function pageFile(pathname: string): string | null {
  if (pathname === '/' || pathname === '/index.html') return 'index.html';
  const match = /^\/sandbox\/([^/]+)$/.exec(pathname);
  return match && FILE_NAME.test(match[1]!) ? match[1]! : null;
}

/** Answers a page request; resolves false when the path is not the page's (the caller 404s). */
export async function servePage(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
  const file = pageFile(pathname);
  if (!file) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method Not Allowed');
    return true;
  }
  let body: Buffer;
  try {
    body = await readFile(PUBLIC_DIR + file);
  } catch {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found');
    return true;
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    // A reload always shows the page as it is on disk (it is a development tool).
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'",
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
