import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(import.meta.dirname, '../../scripts/postgres-cluster.sh');

/** A free TCP port on 127.0.0.1 (the cluster binds it a moment later). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A throw-away PostgreSQL server on 127.0.0.1 (scripts/postgres-cluster.sh: initdb into a temp
 * folder, pg_ctl start), or the one `TEST_DATABASE_URL` names when set (.ci/run's). `stop` removes
 * a cluster this call started.
 */
export async function startPostgres(): Promise<{ url: string; stop: () => void }> {
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL, stop: () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-pg-'));
  const url = execFileSync('bash', [SCRIPT, 'start', dir, String(await freePort())], { encoding: 'utf8' }).trim();
  return { url, stop: () => execFileSync('bash', [SCRIPT, 'stop', dir]) };
}
