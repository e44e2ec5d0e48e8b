import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, startFailure } from '../../src/shared/config.js';
import { tempDir } from '../helpers/app.js';

const good = {
  DISCORD_APPLICATION_ID: '123456789012345678',
  DISCORD_PUBLIC_KEY: 'ab'.repeat(32),
  DISCORD_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.Gabcde.secret-part-of-the-token',
};

describe('configuration from the environment', () => {
  it('fills in the documented defaults', () => {
    expect(loadConfig(good)).toMatchObject({
      apiUrl: 'https://discord.com/api',
      databasePath: './data/rollcall.sqlite',
      httpHost: '127.0.0.1',
      httpPort: 8787,
      logLevel: 'info',
      guildId: undefined,
      interactions: 'http',
    });
  });

  it('INTERACTIONS=gateway needs no public key (nothing is signed) and keeps the port on loopback', () => {
    const { DISCORD_PUBLIC_KEY: _key, ...keyless } = good;
    expect(loadConfig({ ...keyless, INTERACTIONS: 'gateway' })).toMatchObject({ interactions: 'gateway', publicKey: '', httpHost: '127.0.0.1' });
    expect(loadConfig({ ...good, INTERACTIONS: 'Gateway', HTTP_HOST: '::1' })).toMatchObject({ interactions: 'gateway', publicKey: 'ab'.repeat(32) });
    expect(() => loadConfig({ ...good, INTERACTIONS: 'gateway', HTTP_HOST: '0.0.0.0' })).toThrow(
      'HTTP_HOST (0.0.0.0) must be a loopback address (127.0.0.1, ::1 or localhost) with INTERACTIONS=gateway: only /healthz and /metrics listen, for this machine',
    );
    expect(() => loadConfig(keyless)).toThrow(/^DISCORD_PUBLIC_KEY is missing/);
  });

  it.each([
    [{ ...good, DISCORD_APPLICATION_ID: undefined }, 'DISCORD_APPLICATION_ID'],
    [{ ...good, DISCORD_APPLICATION_ID: 'rollcall' }, 'DISCORD_APPLICATION_ID'],
    [{ ...good, DISCORD_PUBLIC_KEY: 'xyz' }, 'DISCORD_PUBLIC_KEY'],
    [{ ...good, DISCORD_TOKEN: '' }, 'DISCORD_TOKEN'],
    [{ ...good, DISCORD_API_URL: 'discord.com' }, 'DISCORD_API_URL'],
    [{ ...good, HTTP_PORT: '80a' }, 'HTTP_PORT'],
    [{ ...good, HTTP_PORT: '70000' }, 'HTTP_PORT'],
    [{ ...good, LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ...good, DISCORD_GUILD_ID: 'my server' }, 'DISCORD_GUILD_ID'],
    [{ ...good, HTTP_HOST: 'my pi' }, 'HTTP_HOST'],
    [{ ...good, HTTP_HOST: 'http://127.0.0.1' }, 'HTTP_HOST'],
    [{ ...good, HTTP_HOST: '127.0.0.1:8787' }, 'HTTP_HOST'],
    [{ ...good, HTTP_HOST: '-pi.local' }, 'HTTP_HOST'],
    [{ ...good, HTTP_HOST: '[::1]' }, 'HTTP_HOST'],
    [{ ...good, DATABASE_PATH: './data/' }, 'DATABASE_PATH'],
    [{ ...good, DATABASE_PATH: 'data\0.sqlite' }, 'DATABASE_PATH'],
    [{ ...good, CLOCK_START: 'tomorrow' }, 'CLOCK_START'],
    [{ ...good, CLOCK_START: '1796432440285' }, 'CLOCK_START'],
    [{ ...good, CLOCK_START: '2026-13-40T25:00:00Z' }, 'CLOCK_START'],
    [{ ...good, INTERACTIONS: 'tunnel' }, 'INTERACTIONS'],
    [{ ...good, INTERACTIONS: 'gateway', DISCORD_PUBLIC_KEY: 'xyz' }, 'DISCORD_PUBLIC_KEY'],
    [{ ...good, INTERACTIONS: 'gateway', HTTP_HOST: 'pi.local' }, 'HTTP_HOST'],
    [{ ...good, SHARD_COUNT: '0' }, 'SHARD_COUNT'],
    [{ ...good, SHARD_COUNT: 'four' }, 'SHARD_COUNT'],
    [{ ...good, SHARD_COUNT: '100000' }, 'SHARD_COUNT'],
    [{ ...good, SHARD_IDS: '0,1' }, 'SHARD_IDS'],
    [{ ...good, SHARD_COUNT: '4', SHARD_IDS: '0;1' }, 'SHARD_IDS'],
    [{ ...good, SHARD_COUNT: '4', SHARD_IDS: '4' }, 'SHARD_IDS'],
    [{ ...good, SHARD_COUNT: '4', SHARD_IDS: '1,1' }, 'SHARD_IDS'],
    [{ ...good, SHARD_COUNT: '4', SHARD_IDS: '3-1' }, 'SHARD_IDS'],
    [{ ...good, DATABASE_URL: 'mysql://db/rollcall' }, 'DATABASE_URL'],
    [{ ...good, DATABASE_URL: './data/rollcall.sqlite' }, 'DATABASE_URL'],
    [{ ...good, DATABASE_URL: 'postgres://rollcall:pw@/rollcall' }, 'DATABASE_URL'],
    [{ ...good, DATABASE_URL: 'postgres://rollcall:pw@db.internal' }, 'DATABASE_URL'],
  ])('names the bad variable (%#)', (env, name) => {
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(name);
      expect((error as Error).message.startsWith(name)).toBe(true);
    }
  });

  it('SHARD_COUNT and SHARD_IDS say which shards this process runs; unset, all that Discord recommends', () => {
    expect(loadConfig(good).shards).toEqual({ count: null, ids: null });
    expect(loadConfig({ ...good, SHARD_COUNT: '4', SHARD_IDS: '0,1' }).shards).toEqual({ count: 4, ids: [0, 1] });
    expect(loadConfig({ ...good, SHARD_COUNT: '8', SHARD_IDS: ' 6-7, 2 ' }).shards).toEqual({ count: 8, ids: [2, 6, 7] });
    expect(loadConfig({ ...good, SHARD_COUNT: '2' }).shards).toEqual({ count: 2, ids: [0, 1] });
    expect(() => loadConfig({ ...good, SHARD_COUNT: '4', SHARD_IDS: '4' })).toThrow('SHARD_IDS names shard 4, but SHARD_COUNT is 4: shard ids run from 0 to 3');
    expect(() => loadConfig({ ...good, SHARD_IDS: '0,1' })).toThrow(/^SHARD_IDS needs SHARD_COUNT too/);
  });

  it('DATABASE_URL selects PostgreSQL (or PGlite); unset, the SQLite file; a bad one is named without echoing its password', () => {
    expect(loadConfig(good)).not.toHaveProperty('databaseUrl');
    const url = 'postgres://rollcall:s3cret@127.0.0.1:5432/rollcall';
    expect(loadConfig({ ...good, DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(loadConfig({ ...good, DATABASE_URL: 'postgresql://db.internal/rollcall?sslmode=require' }).databaseUrl).toBe('postgresql://db.internal/rollcall?sslmode=require');
    expect(loadConfig({ ...good, DATABASE_URL: 'pglite://' }).databaseUrl).toBe('pglite://');
    expect(() => loadConfig({ ...good, DATABASE_URL: 'postgres://rollcall:s3cret@127.0.0.1:5432' })).toThrow(
      'DATABASE_URL names no database (the path after the host, e.g. /rollcall): must be a PostgreSQL URL such as postgres://rollcall:secret@127.0.0.1:5432/rollcall (or pglite:// for PostgreSQL in WebAssembly; unset for the SQLite file at DATABASE_PATH)',
    );
    expect(() => loadConfig({ ...good, DATABASE_URL: 'mysql://rollcall:s3cret@db/rollcall' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
  });

  it('CLOCK_START moves the bot’s clock (rehearsals), and only when set', () => {
    expect(loadConfig({ ...good, CLOCK_START: '2026-12-05T21:00:00Z' }).clockStart).toBe(Date.parse('2026-12-05T21:00:00Z'));
    expect(loadConfig(good)).not.toHaveProperty('clockStart');
  });

  it.each(['0.0.0.0', '::', '::1', '127.0.0.1', 'localhost', 'pi.local', 'rollcall-pi'])('accepts HTTP_HOST=%s', (host) => {
    expect(loadConfig({ ...good, HTTP_HOST: host }).httpHost).toBe(host);
  });

  it('stops the real entry point with one line naming the variable, without printing the token', () => {
    const env = { ...process.env, ...good, DISCORD_PUBLIC_KEY: 'nothex', LOG_LEVEL: 'info' };
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(78);
    expect(
      run.stderr
        .trim()
        .split('\n')
        .filter((l) => l.includes('rollcall')),
    ).toEqual(['rollcall: configuration error: DISCORD_PUBLIC_KEY must be 64 hexadecimal characters']);
    expect(run.stdout + run.stderr).not.toContain('secret-part-of-the-token');
  });
});

/** Runs a real entry point with the good settings plus `extra`; its one line, exit status and output. */
function start(entry: string, extra: Record<string, string>) {
  const env = { ...process.env, ...good, LOG_LEVEL: 'info', DISCORD_API_URL: 'http://127.0.0.1:9/api', ...extra };
  const run = spawnSync(process.execPath, ['--import', 'tsx', entry], { env, encoding: 'utf8', timeout: 30_000 });
  return {
    status: run.status,
    lines: run.stderr
      .trim()
      .split('\n')
      .filter((l) => l.includes('rollcall')),
    output: run.stdout + run.stderr,
  };
}

const expectOneCleanLine = (r: ReturnType<typeof start>, line: string) => {
  expect(r.status).toBe(78);
  expect(r.lines).toEqual([line]);
  expect(r.output).not.toContain('secret-part-of-the-token');
  expect(r.output).not.toMatch(/^\s+at /m); // no stack trace
};

describe('start-up failures a setting explains', () => {
  it.each(['src/main.ts', 'src/http/main.ts', 'src/gateway/main.ts'])('%s stops with one line naming DATABASE_PATH when the database cannot be opened', (entry) => {
    const tmp = tempDir();
    try {
      writeFileSync(`${tmp.dir}/not-a-dir`, 'a file');
      const path = `${tmp.dir}/not-a-dir/rollcall.sqlite`;
      expectOneCleanLine(start(entry, { DATABASE_PATH: path }), `rollcall: configuration error: DATABASE_PATH (${path}) cannot be opened: a part of the path is a file, not a directory`);
      const dir = `${tmp.dir}`;
      expectOneCleanLine(
        start(entry, { DATABASE_PATH: dir }),
        `rollcall: configuration error: DATABASE_PATH (${dir}) cannot be opened: SQLite cannot open a file there (a directory, or no permission)`,
      );
    } finally {
      tmp.cleanup();
    }
  });

  it('maps what cannot be provoked here (tests run as root) the same way, and leaves bugs alone', () => {
    const cfg = { databasePath: '/srv/rollcall/db.sqlite', httpHost: 'pi.local', httpPort: 80 };
    const fail = (code: string) => Object.assign(new Error(`boom ${code}`), { code });
    expect(startFailure('database', fail('EACCES'), cfg)?.message).toBe('DATABASE_PATH (/srv/rollcall/db.sqlite) cannot be opened: permission denied');
    expect(startFailure('database', fail('SQLITE_READONLY'), cfg)?.variable).toBe('DATABASE_PATH');
    expect(startFailure('listen', fail('EACCES'), cfg)?.message).toBe('HTTP_PORT (80) needs privileges this process does not have: use a port above 1023');
    expect(startFailure('listen', fail('ENOTFOUND'), cfg)?.message).toBe('HTTP_HOST (pi.local) does not resolve to an address of this machine');
    expect(startFailure('database', new TypeError("Cannot read properties of undefined (reading 'x')"), cfg)).toBeNull();
    expect(startFailure('database', fail('SQLITE_ERROR'), cfg)).toBeNull(); // a broken migration is a bug, not a setting
  });

  it('start:http refuses INTERACTIONS=gateway in one line: it would serve no command', () => {
    expectOneCleanLine(
      start('src/http/main.ts', { INTERACTIONS: 'gateway' }),
      'rollcall: configuration error: INTERACTIONS=gateway: commands arrive on the gateway, so start:http would serve none; run npm start (or start:gateway alone), or set INTERACTIONS=http',
    );
  });

  it('names HTTP_HOST when it is not an address of this machine', () => {
    const tmp = tempDir();
    try {
      const r = start('src/http/main.ts', { DATABASE_PATH: `${tmp.dir}/rollcall.sqlite`, HTTP_HOST: '192.0.2.1', HTTP_PORT: '0' });
      expectOneCleanLine(r, 'rollcall: configuration error: HTTP_HOST (192.0.2.1) is not an address of this machine, so 192.0.2.1:0 cannot be listened on');
    } finally {
      tmp.cleanup();
    }
  });

  it('names HTTP_PORT when the port is taken', async () => {
    const tmp = tempDir();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const r = start('src/http/main.ts', { DATABASE_PATH: `${tmp.dir}/rollcall.sqlite`, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port) });
      expectOneCleanLine(r, `rollcall: configuration error: HTTP_PORT (${port}) is already in use on 127.0.0.1: stop the other server or pick another port`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
      tmp.cleanup();
    }
  });
});
