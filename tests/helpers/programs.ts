import { spawnSync } from 'node:child_process';

/**
 * The programs some tests need that npm cannot ship. A test that needs one skips on a machine
 * without it, and `tests/helpers/skip-reporter.ts` ends the run with one line per missing program
 * (`skipped 12 tests: chromium not found (apt-get install chromium)`). `.ci/run` installs them all
 * (`scripts/install-system-deps.sh`), so CI skips nothing.
 */
export const PROGRAMS = {
  chromium: { found: () => runs('/usr/bin/chromium', ['--version']), install: 'apt-get install chromium fonts-noto-color-emoji' },
  caddy: { found: () => runs('caddy', ['version']), install: 'apt-get install caddy' },
  sshd: { found: () => runs('/usr/sbin/sshd', ['-V']) && runs('ssh', ['-V']), install: 'apt-get install openssh-server openssh-client' },
  script: { found: () => runs('script', ['--version']), install: 'apt-get install util-linux' },
  'systemd-analyze': { found: () => runs('systemd-analyze', ['--version']), install: 'apt-get install systemd' },
  sudo: { found: () => runs('sudo', ['--version']), install: 'apt-get install sudo' },
  // Debian keeps initdb and pg_ctl out of PATH (/usr/lib/postgresql/<version>/bin); scripts/postgres-cluster.sh finds them.
  postgres: { found: () => spawnSync('bash', ['-c', 'ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null']).status === 0, install: 'apt-get install postgresql' },
} as const satisfies Record<string, { found: () => boolean; install: string }>;

export type Program = keyof typeof PROGRAMS;

/** Whether the program starts (its exit code does not matter: some print a version and exit 1). */
function runs(file: string, args: string[]): boolean {
  const r = spawnSync(file, args, { stdio: 'ignore', timeout: 10_000 });
  return !r.error;
}

/** The marker a skipped suite's title carries; the reporter counts the tests under it. */
export const SKIP_MARKER = /\(skipped: (\S+) not found \(([^)]*)\)\)/;

/** The marker a test skipped on PGlite carries in its title (tests/helpers/engine.ts); the reporter counts them too. */
export const ENGINE_SKIP_MARKER = /\(skipped on PGlite: ([^)]*)\)/;

export interface Need {
  /** True when the program is missing: pass it to `describe.skipIf`. */
  missing: boolean;
  /** The suite's title, marked (when missing) so the run's last lines can say what to install. */
  title(name: string): string;
}

/**
 * Whether this machine has `program`, as `describe.skipIf(need.missing)(need.title('…'), …)` wants it.
 * Several at once: the first missing one is named.
 */
export function needs(...programs: Program[]): Need {
  const absent = programs.find((p) => !PROGRAMS[p].found());
  return {
    missing: absent !== undefined,
    title: (name) => (absent === undefined ? name : `${name} (skipped: ${absent} not found (${PROGRAMS[absent].install}))`),
  };
}
