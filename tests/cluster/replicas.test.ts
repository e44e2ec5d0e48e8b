/**
 * rollcall as a cluster, on one real PostgreSQL server: two webhook replicas (`start:http`,
 * INTERACTIONS=http) behind a round-robin proxy (the stand-in for Caddy's `lb_policy round_robin`)
 * and two gateway processes (`start:gateway`, SHARD_COUNT=2, SHARD_IDS=0 and 1), all real processes
 * from source, against the emulator's four guilds (two on each shard). Members vote both ways at
 * once — 🕗 reactions, which reach the process of their guild's shard, and `/schedule set` with its
 * menus and Save button, signed by the emulator and sent through the proxy to either replica — while
 * one replica is killed (SIGKILL) and one shard's process is killed and started again. What they
 * see: one daily message per guild, every vote in it and in the database, no 429 from Discord.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCommands } from '../../src/cli/registration.js';
import { commands } from '../../src/interactions/commands/index.js';
import type { App } from '../../src/app.js';
import { startEmulator, type EmulatedMessage, type Emulator } from '../../src/sandbox/index.js';
import { ManualClock } from '../../src/shared/clock.js';
import { shardOf } from '../../src/shared/shards.js';
import { testApp, testConfig } from '../helpers/app.js';
import { startPostgres } from '../helpers/postgres-server.js';
import { needs } from '../helpers/programs.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../helpers/round-robin-proxy.js';
import { eventually, installedWithInvitePermissions } from '../helpers/world.js';
import { clusterEnv, startBotProcess, type BotProcess } from '../ops/helpers/bot.js';
import { freePort } from '../ops/helpers/ports.js';

const CLOCK_START = '2026-12-07T12:00:05Z'; // Monday, just past 07:00 in New York: the first tick posts
const EIGHT_PM = Date.parse('2026-12-08T01:00:00Z') / 1000; // Monday 20:00 in New York
const NINE_PM = Date.parse('2026-12-08T02:00:00Z') / 1000;
const MONDAY = '1';
/** Four processes starting from source at once: seconds on a quiet machine, far longer on a busy one. */
const STARTUP_MS = 90_000;

type Select = { custom_id: string };
const byKey = (m: EmulatedMessage, key: string) => (m.components ?? []).flatMap((row) => (row as { components: Select[] }).components).find((c) => c.custom_id.startsWith(`${key}:`))!;
/** The bold count on the line of the slot at `unix` in a daily message. */
const countAt = (m: EmulatedMessage, unix: number) => Number(/\*\*(\d+)\*\*/.exec(m.content.split('\n').find((l) => l.includes(`<t:${unix}:t>`)) ?? '')?.[1] ?? 0);

const postgres = needs('postgres');

describe.skipIf(postgres.missing)(postgres.title('a cluster on one PostgreSQL server: 2 webhook replicas behind a round-robin proxy, 2 gateway shards, 4 guilds'), () => {
  let pg: { url: string; stop: () => void } | undefined;
  let emu: Emulator;
  let proxy: RoundRobinProxy;
  let db: App;
  let env: Record<string, string>;
  const replicas: BotProcess[] = [];
  const shards: BotProcess[] = [];
  let guilds: { id: string; shard: number; channel: string; voters: string[] }[];
  const daily = (channel: string) => emu.messages(channel).filter((m) => m.author.id === emu.applicationId && m.content.startsWith("**Who's playing tonight?**"));

  const startShard = (id: number) =>
    startBotProcess({ ...env, SHARD_COUNT: '2', SHARD_IDS: String(id) }, 0, {
      entry: 'src/gateway/main.ts',
      timeoutMs: STARTUP_MS,
      ready: () => emu.gatewaySessions.some((s) => s.connected && s.shard[0] === id && s.shard[1] === 2),
    });

  beforeAll(async () => {
    pg = await startPostgres();
    // A schema of its own: the server may be one that other test files share (TEST_DATABASE_URL).
    const url = new URL(pg.url);
    url.searchParams.set('schema', `cluster_${randomUUID().slice(0, 8)}`);
    const databaseUrl = url.toString();
    const ports = [await freePort(), await freePort()];
    proxy = await startRoundRobinProxy(ports.map((p) => `http://127.0.0.1:${p}`));
    emu = await startEmulator({ heartbeatIntervalMs: 1_000, scale: { guilds: 4 }, fixture: installedWithInvitePermissions(), interactionsUrl: `${proxy.url}/interactions` });
    const f = emu.fixture;
    guilds = emu.scaledGuilds.map((g, n) => ({
      id: g.id,
      shard: shardOf(g.id, 2),
      channel: n === 0 ? f.channels.tonight! : g.textChannelIds[0]!,
      voters: n === 0 ? (['alice', 'bob', 'carol', 'dan', 'erin', 'frank'] as const).map((k) => f.members[k].id) : [1, 2, 3, 4, 5, 6].map((i) => g.memberId(i)),
    }));
    // Set-up as /config stores it, and the commands registered in each guild; this app migrates the schema.
    const config = testConfig({ applicationId: emu.applicationId, publicKey: emu.publicKey, token: emu.token, apiUrl: emu.api, databasePath: ':memory:', databaseUrl });
    db = await testApp(config, { clock: new ManualClock(Date.parse(CLOCK_START)) });
    for (const g of guilds) {
      await db.guildConfig.setChannel(g.id, g.channel);
      await db.guildConfig.setHours(g.id, 20, 21);
      await registerCommands(
        db.discord,
        commands.map((c) => c.definition),
        g.id,
        () => {},
      );
    }
    env = clusterEnv(emu, databaseUrl, CLOCK_START);
    // The gateway processes first: a webhook replica's /healthz reads their heartbeats.
    shards.push(...(await Promise.all([startShard(0), startShard(1)])));
    replicas.push(...(await Promise.all(ports.map((port) => startBotProcess(env, port, { entry: 'src/http/main.ts', timeoutMs: STARTUP_MS })))));
  }, 240_000);

  afterAll(async () => {
    await Promise.all([...replicas, ...shards].map((p) => p.stop()));
    await proxy?.close();
    await db?.close();
    await emu?.close();
    pg?.stop();
  }, 30_000);

  it('each gateway process runs one shard of two, and the four guilds are two on each', () => {
    expect(guilds.map((g) => g.shard).sort()).toEqual([0, 0, 1, 1]);
    expect(
      emu.gatewaySessions
        .filter((s) => s.connected)
        .map((s) => s.shard.join('/'))
        .sort(),
    ).toEqual(['0/2', '1/2']);
  });

  it('one daily message per guild, with its two clocks', { timeout: 60_000 }, async () => {
    await eventually(() => guilds.every((g) => daily(g.channel).length === 1 && daily(g.channel)[0]!.reactions?.length === 2), 45_000);
    for (const g of guilds) expect(daily(g.channel)[0]!.reactions?.map((r) => r.emoji.name)).toEqual(['🕗', '🕘']);
  });

  it(
    'votes by reaction and by interaction through the proxy, a replica killed and a shard killed and restarted meanwhile: every vote counted, one message each, no 429',
    { timeout: 90_000 },
    async () => {
      const failed: string[] = [];
      /** One interaction as a member lives it: sent, answered, its message shown — or an error they see. */
      const step = async (send: () => ReturnType<Emulator['runCommand']>) => {
        const result = await send();
        // The proxy's own 502 says why (no replica took the connection, or which one failed after).
        if (result.error) throw new Error(`${result.error}${typeof result.response === 'string' ? `: ${result.response}` : ''}`);
        return result.final(15_000);
      };
      /** `/schedule set`, Monday, 21:00, Save. A member who sees "This interaction failed" starts again. */
      const schedule = async (g: (typeof guilds)[number], user: string) => {
        for (let attempt = 1; ; attempt++) {
          try {
            let msg = await step(() => emu.runCommand(user, 'schedule', [{ name: 'set', options: [] } as never], { channelId: g.channel }));
            msg = await step(() => emu.selectMenu(user, msg.id, byKey(msg, 'sched-days').custom_id, [MONDAY]));
            msg = await step(() => emu.selectMenu(user, msg.id, byKey(msg, 'sched-hours').custom_id, ['21']));
            const saved = await step(() => emu.pressButton(user, msg.id, byKey(msg, 'sched-save').custom_id));
            expect(saved.content).toContain('✅ Saved');
            return;
          } catch (error) {
            failed.push(`${user}: ${(error as Error).message}`);
            if (attempt === 3) {
              const states = replicas.map((r, i) => `replica ${i}: exit ${r.child.exitCode ?? r.child.signalCode ?? 'running'}\n${r.output().slice(-2_000)}`);
              throw new Error(`${(error as Error).message}\n${failed.join('\n')}\n${states.join('\n')}`);
            }
          }
        }
      };
      const [replicaKilled, shardKilled] = [replicas[0]!, shards[1]!];
      const interactions = Promise.all(
        guilds.map(async (g) => {
          for (const user of g.voters) await schedule(g, user);
        }),
      );
      // A quarter of the way through (24 of 96 interactions answered), the first replica dies as
      // kill -9 leaves it, with the other guilds' interactions in flight.
      const killer = (async () => {
        while (proxy.counts.forwarded < 24) await new Promise((r) => setTimeout(r, 5));
        replicaKilled.child.kill('SIGKILL');
      })();
      const reactions = (async () => {
        const message = new Map(guilds.map((g) => [g.id, daily(g.channel)[0]!.id]));
        for (let i = 0; i < 6; i++) {
          if (i === 2) {
            // Shard 1's process dies; its guilds' reactions meanwhile are read back by its next session.
            const exited = new Promise((r) => shardKilled.child.once('exit', r));
            shardKilled.child.kill('SIGKILL');
            await exited;
          }
          if (i === 4) shards[1] = await startShard(1);
          for (const g of guilds) await emu.react(g.voters[i]!, g.channel, message.get(g.id)!, '🕗');
          await new Promise((r) => setTimeout(r, 300));
        }
      })();
      await Promise.all([interactions, reactions, killer]);

      // The kill really happened mid-traffic, and the proxy skipped the dead replica afterwards.
      expect(replicaKilled.child.signalCode).toBe('SIGKILL');
      expect(proxy.counts.refused).toBeGreaterThan(0);
      for (const [replica, answered] of proxy.answeredBy) expect(answered, replica).toBeGreaterThan(0);
      // Only an interaction in flight at the kill can fail — one per guild's member at most (four
      // click at once), each answered 502, which the member sees as "This interaction failed" and
      // tries again; every one sent after the kill went to the live replica. (A member may also
      // have retried one the busy machine left unanswered for Discord's 3 s: `failed` lists all.)
      expect(proxy.counts.failed, failed.join('\n')).toBeLessThanOrEqual(guilds.length);

      for (const g of guilds) {
        await eventually(() => {
          const m = daily(g.channel);
          expect(m).toHaveLength(1);
          expect(countAt(m[0]!, EIGHT_PM)).toBe(6);
          expect(countAt(m[0]!, NINE_PM)).toBe(6);
        }, 20_000);
        const clicked = await db.db.selectFrom('availability').select('user_id').where('guild_id', '=', g.id).where('hour', '=', 20).execute();
        expect(clicked.map((r) => r.user_id).sort()).toEqual([...g.voters].sort());
        const scheduled = await db.db.selectFrom('schedules').select(['user_id', 'hour']).where('guild_id', '=', g.id).where('weekday', '=', 1).execute();
        expect(scheduled.map((r) => r.user_id).sort()).toEqual([...g.voters].sort());
        expect(new Set(scheduled.map((r) => r.hour))).toEqual(new Set([21]));
      }
      // On a 429: each refused request with the same channel's requests just before it (when, which
      // bucket state the emulator reported), so whose request came too early can be read off.
      const refused = emu.events.flatMap((e) => (e.kind === 'rest' && e.status === 429 ? [e] : []));
      const around = refused.map((r) => ({
        refused: r,
        before: emu.events.filter((e) => e.kind === 'rest' && e.path.split('/')[2] === r.path.split('/')[2] && e.at <= r.at && e.at > r.at - 2_000),
      }));
      expect(emu.counters.rateLimited, JSON.stringify({ byRoute: emu.counters.rateLimitedByRoute, around }, null, 1)).toBe(0);
    },
  );
});
