/**
 * `npm run bench -- shards [events]`: how many gateway events per second one shard's process
 * handles. The emulator (4 guilds, two on each shard of 2) sends a burst of VOICE_STATE_UPDATEs —
 * members joining, then leaving a voice channel, each stored in its own transaction — and the bot
 * is timed from the first event to the last stay written. Measured in the same run for a process
 * running the one shard of an unsharded bot (all 4 guilds) and for one running shard 0 of 2 (its 2
 * guilds): what a shard handles does not depend on how many the bot has. The emulator runs in the
 * same process and on the same cores, so the figures are a floor, not a ceiling.
 * @see https://discord.com/developers/docs/events/gateway#sharding
 */
import { bootBot, type Bot } from '../src/boot.js';
import { startEmulator, type Emulator } from '../src/sandbox/index.js';
import { installedWithInvitePermissions } from '../src/cli/start-sandbox.js';
import { ManualClock } from '../src/shared/clock.js';
import { shardOf, type ShardPlan } from '../src/shared/shards.js';
import { tempDir, testConfig, testLogger } from '../tests/helpers/app.js';
import { printResult, printTable, progress } from './lib/report.js';
import { round } from './lib/stats.js';

const noThrottle = { waitForIdentify: async () => {} };

interface Outcome {
  label: string;
  guilds: number;
  events: number;
  seconds: number;
  events_per_s: number;
}

async function measure(label: string, shards: ShardPlan, events: number): Promise<Outcome> {
  const tmp = tempDir();
  const emu: Emulator = await startEmulator({ heartbeatIntervalMs: 5_000, rateLimits: false, scale: { guilds: 4, members: 2_000 }, fixture: installedWithInvitePermissions() });
  let bot: Bot | undefined;
  try {
    const config = testConfig({ applicationId: emu.applicationId, publicKey: emu.publicKey, token: emu.token, apiUrl: emu.api, databasePath: `${tmp.dir}/rollcall.sqlite`, shards });
    bot = await bootBot(config, { clock: new ManualClock(Date.parse('2026-12-07T20:00:00Z')), logger: testLogger(), identifyThrottler: noThrottle, ticks: 'manual', http: false });
    await bot.sidecar!.connected;
    const owned = emu.scaledGuilds.slice(1).filter((g) => shards.count === null || shards.ids!.includes(shardOf(g.id, shards.count)));
    await bot.settle();
    const members = events / 2;
    const started = Date.now();
    // Each member joins, then leaves: two events, round-robin over the shard's generated guilds.
    for (let i = 0; i < members; i++) {
      const g = owned[i % owned.length]!;
      await emu.joinVoice(g.memberId(1 + Math.floor(i / owned.length)), g.voiceChannelIds[0]!);
    }
    for (let i = 0; i < members; i++) {
      const g = owned[i % owned.length]!;
      await emu.leaveVoice(g.memberId(1 + Math.floor(i / owned.length)), g.id);
    }
    const db = bot.app.db;
    for (;;) {
      await bot.settle();
      const row = await db
        .selectFrom('voice_stays')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('ended_at', 'is not', null)
        .executeTakeFirstOrThrow();
      if (Number(row.n) >= members) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const seconds = (Date.now() - started) / 1000;
    return { label, guilds: owned.length, events, seconds: round(seconds, 2), events_per_s: round(events / seconds, 0) };
  } finally {
    await bot?.stop().catch(() => undefined);
    await bot?.app.close().catch(() => undefined);
    await emu.close();
    tmp.cleanup();
  }
}

export async function run(args: string[]): Promise<void> {
  const events = Number(args[0] ?? 2_000);
  if (!Number.isInteger(events) || events < 2 || events % 2 !== 0) throw new Error('events must be an even whole number (joins and leaves)');
  progress(`${events} voice state events per run`);
  const unsharded = await measure('unsharded: shard 0 of 1 (baseline)', { count: 1, ids: [0] }, events);
  progress(`${unsharded.label}: ${unsharded.events_per_s} events/s`);
  const sharded = await measure('SHARD_COUNT=2 SHARD_IDS=0', { count: 2, ids: [0] }, events);
  progress(`${sharded.label}: ${sharded.events_per_s} events/s`);
  printTable([unsharded, sharded] as unknown as Record<string, string | number>[], 'Gateway events handled per second by one process (VOICE_STATE_UPDATE, each stored)');
  printResult({ bench: 'shards', events, unsharded_events_per_s: unsharded.events_per_s, shard_of_2_events_per_s: sharded.events_per_s, runs: [unsharded, sharded] });
}
