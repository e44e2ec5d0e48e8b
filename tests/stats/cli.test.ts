import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSyntheticGuild } from '../../bench/lib/synthetic.js';
import { GUILD, statsDb, type StatsDb } from './db.js';
import { inspectPng } from './png.js';

/** `npm run stats -- …` as a person types it (tsx on the CLI source), with its exit code and output. */
function stats(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/stats.ts', ...args], {
    cwd: join(import.meta.dirname, '../..'),
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run stats', () => {
  let s: StatsDb;
  const out = mkdtempSync(join(tmpdir(), 'rollcall-test-stats-cli-'));

  beforeAll(async () => {
    s = await statsDb();
    // Data up to now: the CLI reads the wall clock.
    seedSyntheticGuild(s.sqlite, { guildId: GUILD, zone: 'Europe/Paris', members: 20, stays: 800, channels: 2, now: Date.now(), days: 60, seed: 5 });
  });
  afterAll(async () => {
    await s.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('draws every chart into the folder, one PNG each, with a progress line per chart', () => {
    const r = stats(['--chart', 'all', '--range', '30d', '--out', out, '--db', s.path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('[11/11] best-window');
    const files = readdirSync(out).sort();
    expect(files).toEqual(
      expect.arrayContaining(['community-30d.png', 'duos-30d.png', 'total-30d.png', 'weekdays-30d.png', 'months-30d.png', 'timeline-30d.png', 'reliability-30d.png', 'best-window-30d.png']),
    );
    expect(inspectPng(readFileSync(join(out, 'total-30d.png'))).variance).toBeGreaterThan(100);
    expect(r.stdout).toMatch(/chart\(s\) drawn in \d+ ms/);
  }, 90_000);

  it.each([
    [['--chart', 'pie', '--range', '30d', '--out', out], /argument 'pie' is invalid\. unknown chart; pick one of community, duos/],
    [['--chart', 'total', '--range', '2w', '--out', out], /argument '2w' is invalid\. unknown range; pick one of 7d, 30d, 90d, 365d, all/],
    [['--chart', 'total', '--out', out, '--db', '/nonexistent/rollcall.sqlite'], /^rollcall stats: no database at \/nonexistent\/rollcall\.sqlite/],
    [['--chart', 'duos', '--out', out, '--min-hours', '0'], /argument '0' is invalid\. --min-hours takes a whole number from 1 to 1000\./],
    [['--chart', 'duos', '--out', out, '--min-hours', '1.5'], /argument '1\.5' is invalid\. --min-hours takes a whole number from 1 to 1000\./],
    [['--chart', 'inactive', '--out', out, '--days', 'two'], /argument 'two' is invalid\. --days takes a whole number from 1 to 365\./],
    [['--chart', 'inactive', '--out', out, '--days', '366'], /argument '366' is invalid\. --days takes a whole number from 1 to 365\./],
    [['--chart', 'total', '--out', out, '--days', '30'], /^rollcall stats: --days applies to inactive \(or all\), not total\./],
    [['--chart', 'weekdays', '--out', out, '--min-hours', '2'], /^rollcall stats: --min-hours applies to community and duos \(or all\), not weekdays\./],
  ])(
    'refuses %j with one clear line and a non-zero exit',
    (args, message) => {
      const r = stats(args as string[]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2); // the line, and "(run with --help for usage)"
    },
    30_000,
  );

  it('--min-hours and --days change what is drawn', () => {
    const duos = (extra: string[]) => stats(['--chart', 'duos', '--range', '30d', '--out', join(out, 'flags'), '--db', s.path, ...extra]);
    const byDefault = duos([]);
    expect(byDefault.code, byDefault.stderr).toBe(0);
    const above = (text: string) => Number(/(\d+) pair\(s\) above/.exec(text)?.[1]);
    expect(byDefault.stdout).toMatch(/pair\(s\) above 1 h/);
    const stricter = duos(['--min-hours', '10']);
    expect(stricter.stdout).toMatch(/pair\(s\) above 10 h/);
    expect(above(stricter.stdout)).toBeLessThan(above(byDefault.stdout));
    const none = duos(['--min-hours', '1000']);
    expect(none.stdout).toContain('duos: nothing to draw — No two members have played together for 1000 h or more');
    expect(none.code).toBe(2);
    const inactive = stats(['--chart', 'inactive', '--days', '3', '--out', join(out, 'flags'), '--db', s.path]);
    expect(inactive.code, inactive.stderr).toBe(0);
    expect(inactive.stdout).toMatch(/inactive for 3\+ days/);
  }, 90_000);

  it('without --range, each chart covers its own default period, as /stats does (drifting 90 days, member-months a year)', () => {
    for (const [chart, range] of [
      ['drifting', '90d'],
      ['member-months', '365d'],
    ] as const) {
      const r = stats(['--chart', chart, '--out', join(out, 'defaults'), '--db', s.path]);
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(join(out, 'defaults', `${chart}-${range}.png`)), r.stdout).toBe(true);
    }
  }, 60_000);

  it('uses DATABASE_PATH when --db is not given', () => {
    const r = stats(['--chart', 'weekdays', '--range', '7d', '--out', join(out, 'env')], { DATABASE_PATH: s.path });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, 'env', 'weekdays-7d.png'))).toBe(true);
  }, 60_000);
});
