import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { ROOT } from './build.js';

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for the child to take). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

let ticksPerSecond: number | undefined;

/**
 * CPU seconds (user + system, all threads) a process has used so far, from /proc; undefined where
 * there is no /proc. Unlike requests per wall-clock second, this hardly depends on how much of the
 * machine other processes were using at the time.
 */
export function cpuSeconds(pid: number): number | undefined {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return undefined;
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the line.
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** {@link cpuSeconds} of the server process. */
  cpuSeconds(): number | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs `node <script>` as a separate process (its own event loop and core, away from the load
 * generator) and resolves once `readyPath` answers any HTTP status.
 */
export async function startServer(opts: { script: string; env: Record<string, string>; port: number; readyPath: string; nodeArgs?: string[]; timeoutMs?: number }): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.script], {
    cwd: ROOT,
    // Only what the server needs: no inherited NODE_OPTIONS (tsx's loader) in the measured process.
    env: { PATH: process.env.PATH ?? '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${opts.script} exited with ${child.exitCode}:\n${output}`);
    try {
      await fetch(url + opts.readyPath, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${opts.script} did not answer on ${url} in time:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    pid: child.pid!,
    cpuSeconds: () => cpuSeconds(child.pid!),
    async stop(graceMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
