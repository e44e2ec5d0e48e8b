/**
 * Two gateway processes, each running one shard of two (SHARD_COUNT=2, SHARD_IDS=0 and =1), on one
 * SQLite file against the emulator's four guilds, two on each shard. Each process answers the
 * commands of its own guilds (INTERACTIONS=gateway), posts their daily message, counts their votes;
 * no guild is handled twice, none is left out, and a third process running every guild's job
 * makes no second message (the same at the same moment, in real processes: processes.test.ts). One
 * process killed loses nothing. A shard Discord refuses stops the process with a line naming the setting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootBot, type Bot } from '../../src/boot.js';
import { registerCommands } from '../../src/cli/registration.js';
import { commands } from '../../src/interactions/commands/index.js';
import { startEmulator, trustVoiceCertificate, type Emulator, type EmulatorOptions } from '../../src/sandbox/index.js';
import { ManualClock } from '../../src/shared/clock.js';
import { shardOf, type ShardPlan } from '../../src/shared/shards.js';
import { testApp, tempDir, testConfig, testLogger } from '../helpers/app.js';
import { eventually, installedWithInvitePermissions } from '../helpers/world.js';

const noThrottle = { waitForIdentify: async () => {} };
const POST_TIME = Date.parse('2026-12-07T12:00:00Z'); // 07:00 in New York, the default zone and post time

async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator({ heartbeatIntervalMs: 1_000, scale: { guilds: 4 }, ...options, fixture: installedWithInvitePermissions() });
  trustVoiceCertificate(emu.voiceCertificate);
  return emu;
}

function boot(emu: Emulator, dbPath: string, clock: ManualClock, shards: ShardPlan, onRefused?: (why: string) => void): Promise<Bot> {
  const config = testConfig({ applicationId: emu.applicationId, publicKey: emu.publicKey, token: emu.token, apiUrl: emu.api, databasePath: dbPath, interactions: 'gateway', shards });
  return bootBot(config, { clock, logger: testLogger(), identifyThrottler: noThrottle, ticks: 'manual', ...(onRefused ? { onRefused } : {}) });
}

describe('two gateway processes, one shard of two each, four guilds, one database', () => {
  const tmp = tempDir();
  const clock = new ManualClock(POST_TIME - 3_600_000);
  let emu: Emulator;
  let bots: Bot[];
  /** Each guild: its id, shard, the channel of its daily message, its admin and two members. */
  let guilds: { id: string; shard: number; channel: string; admin: string; voters: string[] }[];
  const process = (guildId: string) => bots[shardOf(guildId, 2)]!;
  const daily = (g: (typeof guilds)[number]) => emu.messages(g.channel).filter((m) => m.author.id === emu.applicationId && m.content.startsWith("**Who's playing tonight?**"));

  beforeAll(async () => {
    emu = await emulator();
    const f = emu.fixture;
    guilds = emu.scaledGuilds.map((g, n) =>
      n === 0
        ? { id: g.id, shard: shardOf(g.id, 2), channel: f.channels.tonight!, admin: f.members.alice.id, voters: [f.members.bob.id, f.members.carol.id] }
        : { id: g.id, shard: shardOf(g.id, 2), channel: g.textChannelIds[0]!, admin: g.memberId(0), voters: [g.memberId(1), g.memberId(2)] },
    );
    const dbPath = `${tmp.dir}/rollcall.sqlite`;
    // One after the other, as a deploy starts them: the first creates and migrates the file.
    bots = [await boot(emu, dbPath, clock, { count: 2, ids: [0] })];
    bots.push(await boot(emu, dbPath, clock, { count: 2, ids: [1] }));
    await Promise.all(bots.map((b) => b.sidecar!.connected));
    await eventually(() => emu.events.filter((e) => e.kind === 'gateway' && e.t === 'GUILD_CREATE').length === 4);
    for (const g of guilds)
      await registerCommands(
        bots[0]!.app.discord,
        commands.map((c) => c.definition),
        g.id,
        () => {},
      );
    // Each guild's admin picks the channel: the answer comes from the process of the guild's shard.
    for (const g of guilds) {
      const run = await emu.runCommand(g.admin, 'config', [{ name: 'channel', options: [{ name: 'channel', value: g.channel }] } as never], { channelId: g.channel });
      expect((await run.final()).content).toContain(`<#${g.channel}>`);
      // Two slots (20:00 and 21:00): two reactions per message keep the test quick.
      const hours = [
        {
          name: 'hours',
          options: [
            { name: 'first', value: 20 },
            { name: 'last', value: 21 },
          ],
        },
      ];
      expect((await (await emu.runCommand(g.admin, 'config', hours as never, { channelId: g.channel })).final()).content).toContain('20:00 → 21:00');
    }
  }, 60_000);
  afterAll(async () => {
    for (const b of bots ?? []) {
      await b.stop().catch(() => undefined);
      await b.app.close().catch(() => undefined);
    }
    await emu?.close();
    tmp.cleanup();
  });

  it('the guilds spread over both shards, and each process identified one shard', () => {
    expect(guilds.map((g) => g.shard).sort()).toEqual([0, 0, 1, 1]);
    expect(
      emu.gatewaySessions
        .filter((s) => s.connected)
        .map((s) => s.shard)
        .sort(),
    ).toEqual([
      [0, 2],
      [1, 2],
    ]);
    for (const [i, b] of bots.entries()) expect(b.sidecar!.gateway.connection.view()).toMatchObject({ connected: true, shards: [{ id: i, state: 'ready' }] });
  });

  it("each guild's commands reached only the process of its shard", () => {
    const sessionOf = new Map(emu.gatewaySessions.map((s) => [s.id, s.shard[0]]));
    for (const g of guilds) {
      const sent = emu.events.filter((e) => e.kind === 'gateway' && e.direction === 'out' && e.t === 'INTERACTION_CREATE' && (e.d as { guild_id?: string }).guild_id === g.id);
      expect(sent).toHaveLength(2); // /config channel and /config hours
      for (const e of sent) expect(sessionOf.get((e as { sessionId: string }).sessionId)).toBe(g.shard);
    }
  });

  it('at post time each process posts its own guilds only; a third process running every guild adds nothing: one message per guild', { timeout: 40_000 }, async () => {
    clock.set(POST_TIME);
    // One after the other: three SQLite connections in one Node thread would wait on each other's
    // locks with the event loop blocked (separate processes do not); the intent row is what counts.
    await bots[0]!.tick();
    for (const g of guilds) expect(daily(g)).toHaveLength(g.shard === 0 ? 1 : 0);
    await bots[1]!.tick();
    for (const g of guilds) expect(daily(g)).toHaveLength(1);
    // An unsharded process on the same file whose daily-post job runs for all four guilds, and ticks again.
    const third = await testApp(testConfig({ applicationId: emu.applicationId, publicKey: emu.publicKey, token: emu.token, apiUrl: emu.api, databasePath: `${tmp.dir}/rollcall.sqlite` }), { clock });
    try {
      await third.posts.job().run(clock.now());
      await bots[0]!.tick();
      await bots[1]!.tick();
    } finally {
      await third.close();
    }
    for (const g of guilds) expect(daily(g)).toHaveLength(1);
    const creates = emu.events.filter((e) => e.kind === 'rest' && e.method === 'POST' && /\/channels\/\d+\/messages$/.test((e as { path: string }).path));
    expect(creates).toHaveLength(4);
    // Every row is `reacted`: the reactions were added once, by one process.
    for (const g of guilds) expect((await process(g.id).app.posts.current(g.id))?.state).toBe('reacted');
  });

  it("every vote is counted by the process of its guild's shard, and its message shows it", async () => {
    for (const g of guilds) {
      const id = daily(g)[0]!.id;
      for (const voter of g.voters) await emu.react(voter, g.channel, id, '🕗');
    }
    for (const g of guilds) {
      await eventually(async () => {
        await Promise.all(bots.map((b) => b.settle()));
        expect(
          daily(g)[0]!
            .content.split('\n')
            .find((l) => l.includes(`<t:${Date.parse('2026-12-08T01:00:00Z') / 1000}:t>`)),
        ).toMatch(/\*\*2\*\*/);
      });
      const rows = await bots[0]!.app.db.selectFrom('availability').select('user_id').where('guild_id', '=', g.id).where('hour', '=', 20).execute();
      expect(rows.map((r) => r.user_id).sort()).toEqual([...g.voters].sort());
    }
    // Each reaction was delivered once, to the session of its guild's shard.
    const sessionOf = new Map(emu.gatewaySessions.map((s) => [s.id, s.shard[0]]));
    for (const g of guilds) {
      const adds = emu.events.filter(
        (e) =>
          e.kind === 'gateway' &&
          e.direction === 'out' &&
          e.t === 'MESSAGE_REACTION_ADD' &&
          (e.d as { guild_id?: string; user_id?: string }).guild_id === g.id &&
          g.voters.includes((e.d as { user_id: string }).user_id),
      );
      expect(adds).toHaveLength(2);
      for (const a of adds) expect(sessionOf.get((a as { sessionId: string }).sessionId)).toBe(g.shard);
    }
    expect(emu.counters.rateLimited).toBe(0);
  });

  it("killed, one shard's process loses nothing: votes cast while it is down are counted when it is back, the other process never stops", { timeout: 30_000 }, async () => {
    const [kept, killed] = [guilds.find((g) => g.shard === 0)!, guilds.find((g) => g.shard === 1)!];
    const dbPath = `${tmp.dir}/rollcall.sqlite`;
    // As kill -9: sockets gone, nothing flushed or closed cleanly.
    const dead = bots[1]!;
    dead.app.heartbeat.stop();
    await dead.sidecar!.gateway.destroy().catch(() => undefined);
    await dead.server?.fastify.close().catch(() => undefined);
    await dead.app.database.close(); // the connection only: a killed process flushes nothing
    const late = killed.voters[0]!;
    await emu.react(late, killed.channel, daily(killed)[0]!.id, '🕘');
    // The other shard's guild is served meanwhile.
    await emu.react(kept.voters[0]!, kept.channel, daily(kept)[0]!.id, '🕘');
    await eventually(async () => {
      await bots[0]!.settle();
      return (await bots[0]!.app.db.selectFrom('availability').select('user_id').where('guild_id', '=', kept.id).where('hour', '=', 21).execute()).length === 1;
    });
    bots[1] = await boot(emu, dbPath, clock, { count: 2, ids: [1] });
    await bots[1].sidecar!.connected;
    await eventually(async () => {
      await bots[1]!.settle();
      const rows = await bots[1]!.app.db.selectFrom('availability').select('user_id').where('guild_id', '=', killed.id).where('hour', '=', 21).execute();
      expect(rows.map((r) => r.user_id)).toEqual([late]);
      expect(
        daily(killed)[0]!
          .content.split('\n')
          .find((l) => l.includes(`<t:${Date.parse('2026-12-08T02:00:00Z') / 1000}:t>`)),
      ).toMatch(/\*\*1\*\*/);
    }, 15_000);
    for (const g of guilds) expect(daily(g)).toHaveLength(1);
    await dead.app.close().catch(() => undefined); // its timers; the file was already closed
  });

  it('each process keeps the voice stays of its own guilds: a clean stop of one closes none of the other’s', async () => {
    const [g0, g1] = [guilds.find((g) => g.shard === 0)!, guilds.find((g) => g.shard === 1)!];
    const voice = (g: (typeof guilds)[number]) => (g === guilds[0] ? emu.fixture.channels.squadA! : emu.scaledGuilds.find((s) => s.id === g.id)!.voiceChannelIds[0]!);
    await emu.joinVoice(g0.voters[0]!, voice(g0));
    await emu.joinVoice(g1.voters[0]!, voice(g1));
    await eventually(async () => (await bots[0]!.app.voice.openStays()).length === 1 && (await bots[1]!.app.voice.openStays()).length === 1);
    expect((await bots[0]!.app.voice.openStays()).map((s) => s.guildId)).toEqual([g0.id]);
    await bots[0]!.stop();
    const open = await bots[1]!.app.db.selectFrom('voice_stays').select('guild_id').where('ended_at', 'is', null).execute();
    expect(open.map((r) => r.guild_id)).toEqual([g1.id]);
  });
});

describe('a shard Discord refuses', () => {
  it('4010 (a shard that is not one) and 4011 (too many guilds on one shard) stop the process with a line naming the setting', async () => {
    const tmp = tempDir();
    const emu = await emulator({ scale: { guilds: 3 }, sharding: { maxGuildsPerShard: 2, recommendedShards: 2 } });
    const clock = new ManualClock(POST_TIME);
    const started: Bot[] = [];
    const refusal = async (shards: ShardPlan, n: number) => {
      let why: string | undefined;
      started.push(await boot(emu, `${tmp.dir}/db${n}.sqlite`, clock, shards, (w) => (why = w)));
      return eventually(() => why ?? false);
    };
    try {
      // Past config validation only by a hand-made config: shard 2 of 2 does not exist.
      expect(await refusal({ count: 2, ids: [2] }, 1)).toMatch(/^SHARD_IDS \/ SHARD_COUNT were refused by Discord \(gateway close 4010: invalid shard\)/);
      expect(await refusal({ count: 1, ids: [0] }, 2)).toMatch(/^SHARD_COUNT is too small: Discord requires sharding \(gateway close 4011/);
      // Unset, the bot follows GET /gateway/bot's recommendation (2 shards) and is let in.
      const bot = await boot(emu, `${tmp.dir}/db3.sqlite`, clock, { count: null, ids: null });
      started.push(bot);
      await bot.sidecar!.connected;
      expect(bot.sidecar!.gateway.connection.view()).toMatchObject({ connected: true, shards: [{ id: 0 }, { id: 1 }] });
    } finally {
      for (const b of started) {
        await b.stop().catch(() => undefined);
        await b.app.close().catch(() => undefined);
      }
      await emu.close();
      tmp.cleanup();
    }
  }, 30_000);
});
