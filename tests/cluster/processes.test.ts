/**
 * The daily post's exactly-once intent across real processes posting at the same moment: three
 * `npm start` processes from source on one SQLite file — shard 0 of 2, shard 1 of 2, and a third
 * left unsharded by mistake, which runs every guild too — all reach post time on their first tick.
 * (In one Node thread, three SQLite connections would wait on each other's locks with the event
 * loop blocked; separate processes race as a deployment does.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';
import { ManualClock } from '../../src/shared/clock.js';
import { testApp, tempDir, testConfig } from '../helpers/app.js';
import { eventually, installedWithInvitePermissions } from '../helpers/world.js';
import { startBotProcess, type BotProcess } from '../ops/helpers/bot.js';
import { freePort } from '../ops/helpers/ports.js';

describe('three processes reach post time at once', () => {
  const tmp = tempDir();
  let emu: Emulator;
  let processes: BotProcess[] = [];
  let channels: string[];

  beforeAll(async () => {
    emu = await startEmulator({ scale: { guilds: 4 }, fixture: installedWithInvitePermissions() });
    channels = emu.scaledGuilds.map((g, n) => (n === 0 ? emu.fixture.channels.tonight! : g.textChannelIds[0]!));
    const databasePath = `${tmp.dir}/rollcall.sqlite`;
    // Set-up: each guild's channel and two slots, stored as /config stores them.
    const setup = await testApp(testConfig({ applicationId: emu.applicationId, publicKey: emu.publicKey, token: emu.token, apiUrl: emu.api, databasePath }), { clock: new ManualClock(Date.now()) });
    for (const [n, g] of emu.scaledGuilds.entries()) {
      await setup.guildConfig.setChannel(g.id, channels[n]!);
      await setup.guildConfig.setHours(g.id, 20, 21);
    }
    await setup.close();
    const env = {
      DISCORD_APPLICATION_ID: emu.applicationId,
      DISCORD_TOKEN: emu.token,
      DISCORD_API_URL: emu.api,
      DATABASE_PATH: databasePath,
      INTERACTIONS: 'gateway',
      LOG_LEVEL: 'warn',
      CLOCK_START: '2026-12-07T12:00:05Z', // just past 07:00 in New York: the first tick posts
    };
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    processes = await Promise.all([
      startBotProcess({ ...env, SHARD_COUNT: '2', SHARD_IDS: '0' }, ports[0]!),
      startBotProcess({ ...env, SHARD_COUNT: '2', SHARD_IDS: '1' }, ports[1]!),
      startBotProcess(env, ports[2]!),
    ]);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await emu?.close();
    tmp.cleanup();
  });

  it('one message per guild, with its clocks', { timeout: 60_000 }, async () => {
    const daily = (channel: string) => emu.messages(channel).filter((m) => m.author.id === emu.applicationId && m.content.startsWith("**Who's playing tonight?**"));
    await eventually(() => channels.every((c) => daily(c).length === 1 && daily(c)[0]!.reactions?.length === 2), 45_000);
    // The processes keep ticking: still one each a moment later.
    await new Promise((r) => setTimeout(r, 1_500));
    for (const c of channels) {
      expect(daily(c)).toHaveLength(1);
      expect(daily(c)[0]!.reactions?.map((r) => r.emoji.name)).toEqual(['🕗', '🕘']);
    }
    expect(
      emu.gatewaySessions
        .filter((s) => s.connected)
        .map((s) => s.shard.join('/'))
        .sort(),
    ).toEqual(['0/1', '0/2', '1/2']);
  });
});
