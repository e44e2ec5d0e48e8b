import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  auth: string | undefined;
  body: string;
}

/**
 * A bare HTTP sink for `npm run bench -- stats`: it answers the routes it is given (the bench gives
 * it only `PATCH …/messages/@original`, where the bot delivers each deferred chart) with canned JSON,
 * 404 to anything else, and records every request. It checks nothing — no auth, rate limits or
 * interaction state — so the bench measures the bot, not an emulated Discord; tests use the emulator
 * in src/sandbox instead.
 */
export async function startRestStandin(routes: Record<string, (req: RecordedRequest) => unknown>) {
  const requests: RecordedRequest[] = [];
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  const server = createServer(async (req, res) => {
    const recorded = { method: req.method ?? 'GET', path: decodeURIComponent((req.url ?? '').split('?')[0]!), auth: req.headers.authorization, body: await read(req) };
    requests.push(recorded);
    const key = Object.keys(routes).find((pattern) => new RegExp(`^${pattern}$`).test(`${recorded.method} ${recorded.path}`));
    if (!key) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: '404: Not Found', code: 0 }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(routes[key]!(recorded)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    api: `http://127.0.0.1:${port}/api`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
