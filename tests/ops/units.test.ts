import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tempDir } from '../helpers/app.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needs } from '../helpers/programs.js';
import { REPO } from './helpers/cli.js';

const SYSTEMD = join(REPO, 'deploy', 'systemd');
const unit = (name: string) => readFileSync(join(SYSTEMD, name), 'utf8');
/** `Key=value` lines of a unit (comments dropped), for asserting the settings that matter. */
const settings = (text: string) => text.split('\n').filter((l) => /^[A-Za-z]+=/.test(l));
const analyze = needs('systemd-analyze');

describe('systemd units', () => {
  it.each(['rollcall.service'])('%s runs hardened as rollcall, restarts on failure (not on a configuration error), writes only data/', (name) => {
    const s = settings(unit(name));
    for (const line of [
      'User=rollcall',
      'Restart=on-failure',
      'RestartPreventExitStatus=78',
      'UMask=0007',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/opt/rollcall/data',
      'EnvironmentFile=/opt/rollcall/shared/rollcall.env',
      'WorkingDirectory=/opt/rollcall/current',
      'PrivateTmp=yes',
      'ProtectHome=yes',
    ]) {
      expect(s, `${name}: ${line}`).toContain(line);
    }
    // A memory cap: MemoryHigh throttles first, MemoryMax is the hard limit, both in MiB.
    const high = Number(/^MemoryHigh=(\d+)M$/.exec(s.find((l) => l.startsWith('MemoryHigh=')) ?? '')?.[1]);
    const max = Number(/^MemoryMax=(\d+)M$/.exec(s.find((l) => l.startsWith('MemoryMax=')) ?? '')?.[1]);
    expect(high, `${name}: MemoryHigh=<n>M`).toBeGreaterThan(0);
    expect(max, `${name}: MemoryMax=<n>M`).toBeGreaterThan(high);
    // The bot's own stop timeout (20 s, src/shutdown.ts) ends before systemd's SIGKILL.
    expect(Number(s.find((l) => l.startsWith('TimeoutStopSec='))?.slice('TimeoutStopSec='.length))).toBeGreaterThan(20);
    const execStart = s.find((l) => l.startsWith('ExecStart='));
    expect(execStart).toBe('ExecStart=/usr/bin/node --max-semi-space-size=1 --liftoff-only dist/src/main.js');
    // The same command line as `npm start` (what `npm run bench -- memory` measures).
    const scripts = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(execStart).toBe(`ExecStart=/usr/bin/${scripts.start}`);
  });

  it('the backup runs nightly, catches up after downtime, and keeps N through backup.sh', () => {
    const timer = settings(unit('rollcall-backup.timer'));
    expect(timer.find((l) => l.startsWith('OnCalendar='))).toMatch(/^OnCalendar=\*-\*-\* \d\d:\d\d:\d\d$/);
    expect(timer).toContain('Persistent=true');
    const service = settings(unit('rollcall-backup.service'));
    expect(service).toContain('ExecStart=/opt/rollcall/current/deploy/backup.sh --root /opt/rollcall');
    expect(service).toContain('User=rollcall');
    expect(service).toContain('ProtectSystem=strict');
    expect(service).toContain('ReadWritePaths=/opt/rollcall/data /opt/rollcall/backups');
  });

  it.skipIf(analyze.missing)(analyze.title('systemd-analyze verify finds nothing wrong (besides /opt/rollcall not existing here)'), () => {
    for (const name of ['rollcall.service', 'rollcall-backup.service', 'rollcall-backup.timer']) {
      const r = spawnSync('systemd-analyze', ['verify', join(SYSTEMD, name)], { encoding: 'utf8', cwd: SYSTEMD });
      const problems = r.stderr
        .split('\n')
        .filter((l) => l.trim() !== '')
        .filter((l) => !/\/opt\/rollcall\/current\/deploy\/backup\.sh is not executable/.test(l));
      expect(problems, name).toEqual([]);
    }
  });

  it('one process on the Pi: no split units to drift from the stop command, sudoers and setup-pi.sh', () => {
    expect(existsSync(join(SYSTEMD, 'rollcall-http.service'))).toBe(false);
    expect(existsSync(join(SYSTEMD, 'rollcall-gateway.service'))).toBe(false);
    const sudoers = readFileSync(join(REPO, 'deploy', 'sudoers.d', 'rollcall'), 'utf8');
    expect(sudoers).toContain('/usr/bin/systemctl restart rollcall,');
    expect(sudoers).not.toMatch(/rollcall-(http|gateway)/);
  });

  const sudo = needs('sudo');
  it.skipIf(sudo.missing)(sudo.title('the sudoers rule setup-pi.sh installs validates, for exactly the commands deploy.sh runs'), () => {
    const tmp = tempDir();
    try {
      const rule = join(tmp.dir, 'rollcall');
      writeFileSync(rule, readFileSync(join(REPO, 'deploy', 'sudoers.d', 'rollcall'), 'utf8').replace(/^DEPLOY_USER /m, 'pi '), { mode: 0o440 });
      const r = spawnSync('visudo', ['-cf', rule], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const allowed = readFileSync(rule, 'utf8')
        .split('NOPASSWD:')[1]!
        .split(',')
        .map((c) => c.trim());
      // lib.sh's RESTART_CMD/STOP_CMD defaults, as sudo sees them (absolute path, exact arguments).
      expect(allowed).toEqual(expect.arrayContaining(['/usr/bin/systemctl restart rollcall', '/usr/bin/systemctl stop rollcall']));
      expect(readFileSync(join(REPO, 'deploy', 'lib.sh'), 'utf8')).toContain('RESTART_CMD="${RESTART_CMD:-sudo -n systemctl restart $SERVICE}"');
    } finally {
      tmp.cleanup();
    }
  });

  it('the deploy scripts parse', () => {
    for (const script of ['lib.sh', 'deploy.sh', 'backup.sh', 'restore.sh', 'status.sh', 'logs.sh', 'setup-pi.sh']) {
      const r = spawnSync('bash', ['-n', join(REPO, 'deploy', script)], { encoding: 'utf8' });
      expect(r.status, `${script}: ${r.stderr}`).toBe(0);
    }
  });
});
