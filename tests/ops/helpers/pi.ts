import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createTestKeys } from '../../helpers/keys.js';
import { APPLICATION_ID } from '../../helpers/interactions.js';
import { REPO } from './cli.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=rollcall test', '-c', 'user.email=test@rollcall.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' }).trim();

/**
 * A bare git repository standing in for GitHub, holding this checkout's committed HEAD as `main`,
 * and a work tree to make further commits from.
 */
export function makeOrigin(dir: string): { url: string; work: string; commit(message: string, edit: (work: string) => void): string; head(): string } {
  const bare = join(dir, 'origin.git');
  const work = join(dir, 'work');
  mkdirSync(work, { recursive: true });
  execFileSync('git', ['init', '--quiet', '--bare', bare]);
  // HEAD by default; ROLLCALL_OPS_SOURCE=worktree deploys the working tree as it is (tracked and
  // new files), for trying a change before committing it.
  const copy =
    process.env.ROLLCALL_OPS_SOURCE === 'worktree'
      ? `cd "${REPO}" && git ls-files -co --exclude-standard -z | tar --null -T - -c | tar -x -C "${work}"`
      : `git -C "${REPO}" archive HEAD | tar -x -C "${work}"`;
  execFileSync('bash', ['-c', copy]);
  git(work, 'init', '--quiet');
  git(work, 'add', '-A');
  git(work, 'commit', '--quiet', '-m', 'release one');
  git(work, 'push', '--quiet', bare, 'HEAD:refs/heads/main');
  return {
    url: `file://${bare}`,
    work,
    commit(message, edit) {
      edit(work);
      git(work, 'add', '-A');
      git(work, 'commit', '--quiet', '-m', message);
      git(work, 'push', '--quiet', bare, 'HEAD:refs/heads/main');
      return git(work, 'rev-parse', 'HEAD');
    },
    head: () => git(work, 'rev-parse', 'HEAD'),
  };
}

/** Stand-ins for `systemctl restart/stop rollcall`: the bot as a background process with a pid file. */
const RESTART = `#!/usr/bin/env bash
# Test stand-in for: sudo systemctl restart rollcall
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/bin/stop"
set -a; . "$ROOT/shared/rollcall.env"; set +a
cd "$ROOT/current"
setsid "$NODE" dist/src/main.js >>"$ROOT/logs/bot.log" 2>&1 </dev/null &
echo $! >"$ROOT/run/bot.pid"
`;
const STOP = `#!/usr/bin/env bash
# Test stand-in for: sudo systemctl stop rollcall
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
pid="$(cat "$ROOT/run/bot.pid" 2>/dev/null || true)"
[ -n "$pid" ] || exit 0
kill -TERM "$pid" 2>/dev/null || exit 0
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
kill -KILL "$pid" 2>/dev/null || true
`;

export interface FakePi {
  root: string;
  botUrl: string;
  dbPath: string;
  stopBot(): void;
  log(): string;
}

/**
 * A folder laid out like /opt/rollcall on a Pi: deploy.conf, shared/rollcall.env, data/, and
 * restart/stop scripts in place of systemd. Installing links this checkout's node_modules (an
 * `npm ci` that compiles better-sqlite3 takes minutes); building is tsc without the type check.
 */
export function makeFakePi(root: string, options: { repoUrl: string; botPort: number; healthTimeout?: number }): FakePi {
  for (const d of ['bin', 'shared', 'data', 'logs', 'run']) mkdirSync(join(root, d), { recursive: true });
  const botUrl = `http://127.0.0.1:${options.botPort}`;
  const dbPath = join(root, 'data', 'rollcall.sqlite');
  writeFileSync(join(root, 'bin', 'restart'), RESTART);
  writeFileSync(join(root, 'bin', 'stop'), STOP);
  chmodSync(join(root, 'bin', 'restart'), 0o755);
  chmodSync(join(root, 'bin', 'stop'), 0o755);
  writeFileSync(
    join(root, 'deploy.conf'),
    [
      `REPO_URL=${options.repoUrl}`,
      `PATH="${dirname(process.execPath)}:$PATH"`,
      `NODE="${process.execPath}"`,
      'export NODE',
      `DATABASE_PATH="${dbPath}"`,
      `BOT_URL=${botUrl}`,
      `INSTALL_CMD="ln -s ${join(REPO, 'node_modules')} node_modules"`,
      // The real build minus type checking (CI's typecheck does that): emits the same JavaScript
      // in a few seconds, and a commit of someone else's half-typed work cannot fail this test.
      `BUILD_CMD="node_modules/.bin/tsc -p tsconfig.build.json --noCheck"`,
      `RESTART_CMD="${join(root, 'bin', 'restart')}"`,
      `STOP_CMD="${join(root, 'bin', 'stop')}"`,
      `LOGS_CMD="tail ${join(root, 'logs', 'bot.log')}"`,
      `HEALTH_TIMEOUT=${options.healthTimeout ?? 15}`,
      'KEEP_RELEASES=2',
    ].join('\n') + '\n',
  );
  const keys = createTestKeys();
  writeFileSync(
    join(root, 'shared', 'rollcall.env'),
    [
      `DISCORD_APPLICATION_ID=${APPLICATION_ID}`,
      `DISCORD_PUBLIC_KEY=${keys.publicKeyHex}`,
      'DISCORD_TOKEN=test-token-0123456789abcdef',
      // Nothing listens there: the gateway logs that it cannot connect, the webhook still serves.
      'DISCORD_API_URL=http://127.0.0.1:9/api',
      // …and /healthz would turn 503 a minute after start for the missing gateway; these tests are
      // about deploying, so the grace outlasts them (tests/ops/health.test.ts covers the 503).
      'HEALTH_GATEWAY_GRACE_SECONDS=3600',
      `DATABASE_PATH=${dbPath}`,
      'HTTP_HOST=127.0.0.1',
      `HTTP_PORT=${options.botPort}`,
      'LOG_LEVEL=info',
    ].join('\n') + '\n',
    { mode: 0o600 },
  );
  return {
    root,
    botUrl,
    dbPath,
    stopBot: () => execFileSync(join(root, 'bin', 'stop')),
    log: () => (existsSync(join(root, 'logs', 'bot.log')) ? readFileSync(join(root, 'logs', 'bot.log'), 'utf8') : ''),
  };
}
