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

/**
 * Stand-ins for `systemctl restart/stop/is-active rollcall`: the bot as a background process with a
 * pid file. Like the unit: UMask=0007, the environment file, the release `current` points at.
 */
const restartScript = (node: string) => `#!/usr/bin/env bash
# Test stand-in for: sudo systemctl restart rollcall
set -euo pipefail
umask 0007
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
"$ROOT/bin/stop"
set -a; . "$ROOT/shared/rollcall.env"; set +a
cd "$ROOT/current"
setsid "${node}" dist/src/main.js >>"$ROOT/logs/bot.log" 2>&1 </dev/null &
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
/**
 * Stand-in for `npm run build`: esbuild transpiles src/ and migrations/ to dist/ file by file (the
 * layout tsc emits; no bundling), in well under a second where `tsc --noCheck` takes seconds of CPU on
 * each of the dozen builds the ops tests make. Type checking is CI's `npm run typecheck`; a syntax
 * error still fails the build.
 */
const BUILD = `#!/usr/bin/env bash
# Test stand-in for: npm run build (run in the release being built)
set -euo pipefail
find src migrations -name '*.ts' ! -name '*.d.ts' -print0 |
  xargs -0 node_modules/.bin/esbuild --outdir=dist --outbase=. --platform=node --format=esm --target=es2022 --sourcemap --log-level=warning
# then the server bundles, as npm run build ends
node scripts/bundle.mjs
`;
const ACTIVE = `#!/usr/bin/env bash
# Test stand-in for: systemctl is-active --quiet rollcall (no signal: the bot may be another user's)
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
pid="$(cat "$ROOT/run/bot.pid" 2>/dev/null || true)"
[ -n "$pid" ] && [ -d "/proc/$pid" ] && ! grep -q '^State:.*zombie' "/proc/$pid/status" 2>/dev/null
`;

export interface FakePi {
  root: string;
  botUrl: string;
  dbPath: string;
  envFile: string;
  stopBot(): void;
  log(): string;
}

/** What the bot needs to reach a Discord: the emulator's (src/sandbox), or nothing that answers. */
export interface FakeDiscord {
  applicationId: string;
  publicKey: string;
  token: string;
  apiUrl: string;
}

/**
 * The Pi's two accounts, as setup-pi.sh makes them: `deploy` (who ssh's in and deploys, a member of
 * `group`) and `service` (what the bot runs as; in `group` only). With them, the fake Pi's folders
 * get setup-pi.sh's owners and modes, and the restart/stop stand-ins run as `service` through
 * `sudo -n -u`, as `sudo systemctl` would start the unit's `User=`.
 */
export interface PiUsers {
  deploy: string;
  service: string;
  group: string;
  /** The sudoers rule for the stand-ins is written here (and removed by the test). */
  sudoersFile: string;
}

const chown = (path: string, owner: string, mode?: string, recursive = false) => {
  execFileSync('chown', [...(recursive ? ['-R'] : []), owner, path]);
  if (mode) execFileSync('chmod', [mode, path]);
};

/**
 * A folder laid out like /opt/rollcall on a Pi: deploy.conf, shared/rollcall.env, data/, and
 * restart/stop scripts in place of systemd. Installing links this checkout's node_modules (an
 * `npm ci` that compiles better-sqlite3 takes minutes); building is esbuild file by file, without the
 * type check, then the server bundles.
 * Without `discord`, nothing answers the bot's gateway (a deploy then never sees READY).
 */
export function makeFakePi(root: string, options: { repoUrl: string; botPort: number; healthTimeout?: number; discord?: FakeDiscord; users?: PiUsers }): FakePi {
  for (const d of ['bin', 'shared', 'data', 'logs', 'run', 'backups', 'releases']) mkdirSync(join(root, d), { recursive: true });
  const botUrl = `http://127.0.0.1:${options.botPort}`;
  const dbPath = join(root, 'data', 'rollcall.sqlite');
  const users = options.users;
  writeFileSync(join(root, 'bin', 'restart'), restartScript(process.execPath));
  writeFileSync(join(root, 'bin', 'stop'), STOP);
  writeFileSync(join(root, 'bin', 'active'), ACTIVE);
  writeFileSync(join(root, 'bin', 'build'), BUILD);
  for (const f of ['restart', 'stop', 'active', 'build']) chmodSync(join(root, 'bin', f), 0o755);
  const asService = users ? `sudo -n -u ${users.service} ` : '';
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
      // The real build minus type checking (CI's typecheck does that): the same files in dist/ and the
      // same server bundles, and a commit of someone else's half-typed work cannot fail this test.
      `BUILD_CMD="${join(root, 'bin', 'build')}"`,
      `RESTART_CMD="${asService}${join(root, 'bin', 'restart')}"`,
      `STOP_CMD="${asService}${join(root, 'bin', 'stop')}"`,
      `ACTIVE_CMD="${join(root, 'bin', 'active')}"`,
      `LOGS_CMD="tail ${join(root, 'logs', 'bot.log')}"`,
      `HEALTH_TIMEOUT=${options.healthTimeout ?? 15}`,
      'KEEP_RELEASES=2',
    ].join('\n') + '\n',
  );
  const keys = createTestKeys();
  const discord = options.discord;
  const envFile = join(root, 'shared', 'rollcall.env');
  writeFileSync(
    envFile,
    [
      `DISCORD_APPLICATION_ID=${discord?.applicationId ?? APPLICATION_ID}`,
      `DISCORD_PUBLIC_KEY=${discord?.publicKey ?? keys.publicKeyHex}`,
      `DISCORD_TOKEN=${discord?.token ?? 'test-token-0123456789abcdef'}`,
      // Without the emulator nothing listens there: the gateway cannot connect, the webhook still serves.
      `DISCORD_API_URL=${discord?.apiUrl ?? 'http://127.0.0.1:9/api'}`,
      `DATABASE_PATH=${dbPath}`,
      'HTTP_HOST=127.0.0.1',
      `HTTP_PORT=${options.botPort}`,
      'LOG_LEVEL=info',
    ].join('\n') + '\n',
    { mode: 0o600 },
  );
  if (users) {
    // setup-pi.sh's owners and modes (docs/operations.md, "Files and permissions").
    const { deploy, service, group } = users;
    chown(root, `${deploy}:${group}`, '0755');
    for (const d of ['releases', 'bin']) chown(join(root, d), `${deploy}:${group}`, '0755');
    chown(join(root, 'deploy.conf'), `${deploy}:${group}`, '0644');
    for (const d of ['data', 'backups', 'logs', 'run']) chown(join(root, d), `${service}:${group}`, '2770');
    chown(join(root, 'shared'), `root:${group}`, '0750');
    chown(envFile, `${service}:${group}`, '0600');
    for (const f of ['restart', 'stop', 'active', 'build']) chown(join(root, 'bin', f), 'root:root', '0755');
    const rule = `${deploy} ALL=(${service}) NOPASSWD: ${join(root, 'bin', 'restart')}, ${join(root, 'bin', 'stop')}\n`;
    writeFileSync(`${users.sudoersFile}.new`, rule, { mode: 0o440 });
    execFileSync('visudo', ['-cqf', `${users.sudoersFile}.new`]);
    execFileSync('mv', [`${users.sudoersFile}.new`, users.sudoersFile]);
  }
  return {
    root,
    botUrl,
    dbPath,
    envFile,
    stopBot: () => execFileSync(join(root, 'bin', 'stop')),
    log: () => (existsSync(join(root, 'logs', 'bot.log')) ? readFileSync(join(root, 'logs', 'bot.log'), 'utf8') : ''),
  };
}
