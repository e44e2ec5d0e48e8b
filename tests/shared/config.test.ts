import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/shared/config.js';

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
    });
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

  it('stops the real entry point with one line naming the variable, without printing the token', () => {
    const env = { ...process.env, ...good, DISCORD_PUBLIC_KEY: 'nothex', LOG_LEVEL: 'info' };
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(78);
    expect(run.stderr.trim().split('\n').filter((l) => l.includes('rollcall'))).toEqual([
      'rollcall: configuration error: DISCORD_PUBLIC_KEY must be 64 hexadecimal characters',
    ]);
    expect(run.stdout + run.stderr).not.toContain('secret-part-of-the-token');
  });
});
