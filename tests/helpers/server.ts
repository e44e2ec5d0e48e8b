import type { App } from '../../src/app.js';
import { buildServer, type InteractionServer, type ServerOptions } from '../../src/http/server.js';
import { createTestKeys, type TestKeys } from './keys.js';
import { signed } from './interactions.js';
import { tempDir, testApp, testConfig } from './app.js';
import type { Config } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';

export interface Harness {
  app: App;
  server: InteractionServer;
  keys: TestKeys;
  dbPath: string;
  /** Base URL once `listen()` was called. */
  url: string;
  listen(): Promise<string>;
  /** Sends a signed interaction through Fastify's inject and returns status + JSON. */
  send(body: unknown, timestamp?: number): Promise<{ status: number; json: any }>;
  /** Same, over real HTTP to the listening server. */
  post(body: unknown, timestamp?: number): Promise<{ status: number; json: any }>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The interactions server on a temp SQLite file, with a test key pair in place of Discord's. */
export async function startHarness(opts: { config?: Partial<Config>; server?: ServerOptions; keys?: TestKeys; dbPath?: string; logTo?: (line: string) => void } = {}): Promise<Harness> {
  const keys = opts.keys ?? createTestKeys();
  const tmp = opts.dbPath ? undefined : tempDir();
  const dbPath = opts.dbPath ?? `${tmp!.dir}/rollcall.sqlite`;
  const config = testConfig({ publicKey: keys.publicKeyHex, databasePath: dbPath, ...opts.config });
  const logger = opts.logTo ? createLogger('info', { write: (line: string) => (opts.logTo!(line), true) } as NodeJS.WritableStream) : undefined;
  const h: Harness = {
    app: await testApp(config, logger ? { logger } : {}),
    server: undefined as unknown as InteractionServer,
    keys,
    dbPath,
    url: '',
    async listen() {
      h.url = await h.server.fastify.listen({ host: '127.0.0.1', port: 0 });
      return h.url;
    },
    async send(body, timestamp) {
      const s = signed(keys, body, timestamp);
      const res = await h.server.fastify.inject({ method: 'POST', url: '/interactions', headers: s.headers, payload: s.payload });
      return { status: res.statusCode, json: res.body ? JSON.parse(res.body) : undefined };
    },
    async post(body, timestamp) {
      const s = signed(keys, body, timestamp);
      const res = await fetch(`${h.url}/interactions`, { method: 'POST', headers: s.headers, body: s.payload });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    },
    async restart() {
      await h.server.fastify.close();
      await h.app.close();
      h.app = await testApp(config);
      h.server = buildServer(h.app, opts.server);
    },
    async close() {
      await h.server.fastify.close();
      await h.app.close();
      tmp?.cleanup();
    },
  };
  h.server = buildServer(h.app, opts.server);
  return h;
}
