import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

const SSHD = '/usr/sbin/sshd';

/** A throwaway sshd on 127.0.0.1 that lets the current user in with a throwaway key. */
export interface TestSshd {
  port: number;
  /** `user@127.0.0.1` */
  host: string;
  /** The client's private key. */
  identity: string;
  /** An ssh config that trusts only this server's host key (StrictHostKeyChecking yes). */
  sshConfig: string;
  /** The admin tool's ssh options for this server. */
  args(root: string): string[];
  stop(): Promise<void>;
}

function keygen(path: string): void {
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'rollcall-test', '-f', path]);
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr.toString()}`);
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited (${child.exitCode}): ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd did not listen on ${port}: ${log()}`);
}

/**
 * Starts Debian's sshd with its own config, host key and authorized_keys in a temp folder; the
 * machine's /etc/ssh is untouched. The current user (or `options.user`, e.g. a deploy user the test
 * made; sshd reads authorized_keys as that user) may log in with the key only (CI runs as root).
 */
export async function startSshd(options: { user?: string } = {}): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-sshd-'));
  const user = options.user ?? userInfo().username;
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'client_key'));
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')), { mode: 0o644 });
  if (options.user) chmodSync(dir, 0o755); // the private keys in it stay 0600
  const port = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      `AllowUsers ${user}`,
      'LogLevel ERROR',
    ].join('\n') + '\n',
  );
  const hostKey = readFileSync(join(dir, 'host_key.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
  writeFileSync(join(dir, 'ssh_config'), ['Host *', `  UserKnownHostsFile ${join(dir, 'known_hosts')}`, '  StrictHostKeyChecking yes', '  IdentitiesOnly yes', '  LogLevel ERROR'].join('\n') + '\n');
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true }); // privilege separation dir
  const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  await waitForPort(port, child, () => log);
  const identity = join(dir, 'client_key');
  const sshConfig = join(dir, 'ssh_config');
  return {
    port,
    host: `${user}@127.0.0.1`,
    identity,
    sshConfig,
    args: (root) => ['--host', `${user}@127.0.0.1`, '--port', String(port), '--identity', identity, '--ssh-config', sshConfig, '--root', root],
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
