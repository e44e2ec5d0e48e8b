import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (tests/ops/helpers → ../../..). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to completion, collecting its output (stdin closed, as in cron or CI). */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? REPO, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** `npm run admin -- <args>`, the way an operator's script would call it (no terminal). */
export function admin(args: string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', ...args], options);
}

/** The last non-empty line of a stream: the "one clear line" a failure ends with. */
export function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? '';
}
