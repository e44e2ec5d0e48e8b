import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AdminError } from './errors.js';
import { deployDir } from './paths.js';

/**
 * Where a remote action goes. Everything is handed to the system `ssh`, so the operator's own
 * keys, agent and ~/.ssh/config apply; the admin tool never sees or stores a credential.
 */
export interface SshTarget {
  /** `user@host`, or a Host alias from ~/.ssh/config. */
  host: string;
  port?: number;
  /** A private key file (`ssh -i`). */
  identity?: string;
  /** An ssh config file to use instead of ~/.ssh/config (`ssh -F`). */
  config?: string;
  /** rollcall's folder on the host (the one with deploy.conf). */
  root: string;
}

/** Quotes one word for the remote POSIX shell that ssh hands the command line to. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function sshArgs(target: SshTarget): string[] {
  const args: string[] = [];
  if (target.config) args.push('-F', target.config);
  if (target.port) args.push('-p', String(target.port));
  if (target.identity) args.push('-i', target.identity);
  // Without a terminal nobody can answer a password prompt: fail at once instead of hanging.
  if (!process.stdin.isTTY) args.push('-o', 'BatchMode=yes');
  args.push('-o', 'ConnectTimeout=15', '--', target.host);
  return args;
}

export interface RemoteResult {
  code: number;
  stdout: string;
}

interface RunOptions {
  /** Bytes for the remote stdin (the script, or a file to upload). */
  input?: string | Buffer;
  /** Keep stdout in the result instead of printing it. */
  captureStdout?: boolean;
  /** Receives remote stdout when not captured (default: printed to our stdout). */
  onStdout?: (chunk: Buffer) => void;
}

/** Turns ssh's exit into an error with the remote's own last `rollcall:` line when there is one. */
function failure(target: SshTarget, code: number, stderrTail: string[]): AdminError {
  const last = [...stderrTail].reverse().find((l) => l.trim() !== '') ?? '';
  if (code === 255) {
    // sshd turned every key down: say which key was offered, the usual fix is authorized_keys.
    if (/Permission denied \(publickey/.test(last)) {
      const key = target.identity ? `the key ${target.identity}` : 'your ssh keys';
      return new AdminError(
        `ssh to ${target.host} failed: ${key} ${target.identity ? 'was' : 'were'} refused (Permission denied (publickey)); add the public key to the host's ~/.ssh/authorized_keys`,
      );
    }
    return new AdminError(`ssh to ${target.host} failed: ${last || 'connection error'}`);
  }
  const own = [...stderrTail].reverse().find((l) => l.startsWith('rollcall: '));
  return new AdminError(own ? own.slice('rollcall: '.length) : `the command on ${target.host} failed (exit ${code})${last ? `: ${last}` : ''}`);
}

/** Runs one command line on the host. Remote stderr is shown as it comes. */
export function sshRun(target: SshTarget, command: string[], options: RunOptions = {}): Promise<RemoteResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn('ssh', [...sshArgs(target), command.map(shellQuote).join(' ')], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const tail: string[] = [];
    let partialLine = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (options.captureStdout) out.push(chunk);
      else if (options.onStdout) options.onStdout(chunk);
      else process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      const lines = (partialLine + chunk.toString('utf8')).split(/\r?\n|\r/);
      partialLine = lines.pop() ?? '';
      tail.push(...lines);
      if (tail.length > 20) tail.splice(0, tail.length - 20);
    });
    child.on('error', (error: NodeJS.ErrnoException) => reject(new AdminError(error.code === 'ENOENT' ? 'ssh is not installed here (install openssh-client)' : `could not run ssh: ${error.message}`)));
    child.on('close', (code) => {
      if (partialLine) tail.push(partialLine);
      if (code === 0) resolveRun({ code: 0, stdout: Buffer.concat(out).toString('utf8') });
      else reject(failure(target, code ?? 1, tail));
    });
    child.stdin.on('error', () => undefined); // ssh may exit before reading all of the script
    child.stdin.end(options.input ?? '');
  });
}

/**
 * Runs one of the `deploy/*.sh` scripts on the host: `lib.sh` and the script are sent on stdin to
 * `bash -s`, so the host runs the scripts of this checkout and needs nothing installed beforehand.
 */
export function runRemoteScript(target: SshTarget, script: 'deploy.sh' | 'backup.sh' | 'restore.sh' | 'status.sh' | 'logs.sh', args: string[], options: Omit<RunOptions, 'input'> = {}) {
  const dir = deployDir();
  const input = `${readFileSync(join(dir, 'lib.sh'), 'utf8')}\n${readFileSync(join(dir, script), 'utf8')}`;
  return sshRun(target, ['bash', '-s', '--', '--root', target.root, ...args], { ...options, input });
}
