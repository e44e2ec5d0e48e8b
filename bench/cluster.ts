/**
 * `npm run bench -- cluster [--duration <s>] [--rounds <n>] [--events <n>] [--proxy caddy|node]`: rollcall as a cluster on one
 * PostgreSQL server (a throw-away one, `scripts/postgres-cluster.sh`; Debian's `postgresql`), every
 * part a real process from source, all on loopback.
 *
 * 1. Interactions per second with 1 and with 2 webhook replicas (`start:http`) behind a round-robin
 *    proxy — Caddy with the repository's Caddyfile when it is installed (what a deployment runs),
 *    else (or with `--proxy node`) the cluster test's Node proxy — and 1 replica reached directly
 *    (what the proxy costs). The load is signed `/schedule show`
 *    commands (two PostgreSQL reads each: the guild's settings and the member's schedule), sent by
 *    autocannon over 16 keep-alive connections for `--duration` seconds (default 5) per setting, in
 *    `--rounds` rounds (default 2, alternating the order), keeping each setting's best.
 * 2. Gateway events per second per shard: a burst of `--events` VOICE_STATE_UPDATEs (default 2 000:
 *    members joining, then leaving voice, each stay stored) spread over 4 guilds, two on each shard
 *    of 2, timed from the first event to the last stay stored — once with one `start:gateway`
 *    process running both shards, once with two processes running one each.
 *
 * Everything (load generator, proxy, replicas, emulator, PostgreSQL) shares this machine's cores,
 * so a second replica can only show more where there are cores to spare for it; the table prints
 * how many there are.
 */
import { availableParallelism, loadavg } from 'node:os';
import { randomUUID } from 'node:crypto';
import { startEmulator, type Emulator } from '../src/sandbox/index.js';
import { installedWithInvitePermissions } from '../src/cli/start-sandbox.js';
import { ManualClock } from '../src/shared/clock.js';
import { shardOf } from '../src/shared/shards.js';
import { testApp, testConfig } from '../tests/helpers/app.js';
import { APPLICATION_ID, CHANNEL_ID, GUILD_ID, MEMBER_ID, command, signed } from '../tests/helpers/interactions.js';
import { createTestKeys } from '../tests/helpers/keys.js';
import { startPostgres } from '../tests/helpers/postgres-server.js';
import { PROGRAMS } from '../tests/helpers/programs.js';
import { clusterEnv, startBotProcess, type BotProcess } from '../tests/ops/helpers/bot.js';
import { freePort, startServer, type ServerProcess } from './lib/child.js';
import { saturate, type PreparedRequest } from './lib/load.js';
import { startProxy, type ProxyKind, type ProxyProcess } from './lib/proxies.js';
import { printResult, printTable, progress, type Row } from './lib/report.js';
import { round } from './lib/stats.js';

const CLOCK_START = '2026-12-07T20:00:00Z';

function text(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const value = i === -1 ? fallback : Number(args[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

interface InteractionRow extends Row {
  setting: string;
  replicas: number;
  interactions_per_s: number;
  p50_ms: number;
  p99_ms: number;
  failed: number;
  replica_cpu_s_per_1000: number | null;
  proxy_cpu_s_per_1000: number | null;
}

/** Phase 1: the same signed commands through the proxy to 1 and 2 replicas, and straight to one. */
async function interactions(databaseUrl: string, apiUrl: string, durationS: number, rounds: number, proxyKind: ProxyKind): Promise<InteractionRow[]> {
  const keys = createTestKeys();
  const setup = await testApp(testConfig({ applicationId: APPLICATION_ID, publicKey: keys.publicKeyHex, databasePath: ':memory:', databaseUrl }), { clock: new ManualClock(Date.parse(CLOCK_START)) });
  await setup.guildConfig.setChannel(GUILD_ID, CHANNEL_ID);
  await setup.close();
  // Distinct interactions (ids, members) signed once: the replicas refuse timestamps older than five minutes.
  const requests: PreparedRequest[] = Array.from({ length: 64 }, (_, i) => {
    const s = signed(keys, command('schedule', 'show', [], { userId: String(BigInt(MEMBER_ID) + BigInt(i)) }));
    return { method: 'POST', path: '/interactions', headers: s.headers, body: s.payload };
  });
  const env = {
    DISCORD_APPLICATION_ID: APPLICATION_ID,
    DISCORD_PUBLIC_KEY: keys.publicKeyHex,
    DISCORD_TOKEN: 'bench-token-0123456789abcdef',
    DISCORD_API_URL: apiUrl,
    DATABASE_URL: databaseUrl,
    INTERACTIONS: 'http',
    LOG_LEVEL: 'warn',
    CLOCK_START,
  };
  const replicas: ServerProcess[] = [];
  const start = async () => {
    const port = await freePort();
    replicas.push(
      await startServer({
        script: 'src/http/main.ts',
        nodeArgs: ['--import', 'tsx'],
        env: { ...env, HTTP_HOST: '127.0.0.1', HTTP_PORT: String(port) },
        port,
        readyPath: '/healthz',
        timeoutMs: 60_000,
      }),
    );
  };
  const rows: InteractionRow[] = [];
  const measure = async (setting: string, url: string, count: number, proxyCpu: () => number | undefined = () => undefined) => {
    const check = await fetch(`${url}/interactions`, { method: 'POST', headers: requests[0]!.headers, body: requests[0]!.body });
    const answer = (await check.json()) as { data?: { content?: string } };
    if (check.status !== 200 || !answer.data?.content?.includes('no schedule')) throw new Error(`${setting}: /schedule show answered ${check.status} ${JSON.stringify(answer)}`);
    // A short warm-up (JIT, the pools' connections), then the measured run.
    await saturate(url, requests, 1);
    const cpuBefore = replicas.slice(0, count).map((r) => r.cpuSeconds() ?? NaN);
    const proxyBefore = proxyCpu() ?? NaN;
    const load = await saturate(url, requests, durationS);
    const cpu = replicas.slice(0, count).reduce((sum, r, i) => sum + (r.cpuSeconds() ?? NaN) - cpuBefore[i]!, 0);
    const proxy = (proxyCpu() ?? NaN) - proxyBefore;
    const row: InteractionRow = {
      setting,
      replicas: count,
      interactions_per_s: round(load.rps, 0),
      p50_ms: load.p50Ms,
      p99_ms: load.p99Ms,
      failed: load.failed,
      replica_cpu_s_per_1000: Number.isFinite(cpu) ? round((cpu / load.ok) * 1000, 2) : null,
      proxy_cpu_s_per_1000: Number.isFinite(proxy) ? round((proxy / load.ok) * 1000, 2) : null,
    };
    progress(`${setting}: ${row.interactions_per_s} interactions/s`);
    // The best of the rounds: on a shared machine other work only ever makes a figure worse.
    const before = rows.findIndex((r) => r.setting === setting);
    if (before === -1) rows.push(row);
    else if (row.interactions_per_s > rows[before]!.interactions_per_s) rows[before] = row;
  };
  const proxies: ProxyProcess[] = [];
  try {
    await Promise.all([start(), start()]);
    const one = await startProxy(proxyKind, [replicas[0]!.url]);
    const two = await startProxy(
      proxyKind,
      replicas.map((r) => r.url),
    );
    proxies.push(one, two);
    const settings = [
      () => measure('1 replica, direct (no proxy)', replicas[0]!.url, 1),
      () => measure(`1 replica behind ${proxyKind}`, one.url, 1, one.cpuSeconds),
      () => measure(`2 replicas behind ${proxyKind}`, two.url, 2, two.cpuSeconds),
    ];
    // Rounds in alternating order, so that neither end of a round is always the warm-up's or the noise's.
    for (let round = 0; round < rounds; round++) for (const m of round % 2 === 0 ? settings : [...settings].reverse()) await m();
  } finally {
    await Promise.all([...proxies, ...replicas].map((p) => p.stop()));
  }
  return rows.sort((a, b) => a.replicas - b.replicas);
}

interface GatewayRow extends Row {
  processes: string;
  shard: string;
  guilds: number;
  events: number;
  seconds: number;
  events_per_s: number;
}

/** Phase 2: a burst of voice events over 4 guilds, handled by one process with both shards or two with one each. */
async function gateway(databaseUrl: string, emu: Emulator, events: number, split: boolean): Promise<GatewayRow[]> {
  const env = { ...clusterEnv(emu, databaseUrl, CLOCK_START), SHARD_COUNT: '2' };
  const plans = split ? ['0', '1'] : ['0,1'];
  const guilds = emu.scaledGuilds.slice(1); // the generated ones: the same size and layout
  const db = await testApp(testConfig({ applicationId: emu.applicationId, publicKey: emu.publicKey, databasePath: ':memory:', databaseUrl }));
  const processes: BotProcess[] = [];
  try {
    await db.db.deleteFrom('voice_stays').execute();
    for (const ids of plans) {
      const wanted = ids.split(',').map(Number);
      processes.push(
        await startBotProcess({ ...env, SHARD_IDS: ids }, 0, {
          entry: 'src/gateway/main.ts',
          ready: () => wanted.every((id) => emu.gatewaySessions.some((s) => s.connected && s.shard[0] === id && s.shard[1] === 2)),
        }),
      );
    }
    // GUILD_CREATEs and the first heartbeats settle before the burst.
    await new Promise((r) => setTimeout(r, 2_000));
    const members = events / 2;
    const perGuild = Math.ceil(members / guilds.length);
    const started = Date.now();
    const storedAt = new Map<string, number>();
    const burst = (async () => {
      for (let i = 0; i < members; i++) {
        const g = guilds[i % guilds.length]!;
        await emu.joinVoice(g.memberId(1 + Math.floor(i / guilds.length)), g.voiceChannelIds[0]!);
      }
      for (let i = 0; i < members; i++) {
        const g = guilds[i % guilds.length]!;
        await emu.leaveVoice(g.memberId(1 + Math.floor(i / guilds.length)), g.id);
      }
    })();
    const deadline = Date.now() + 300_000;
    while (storedAt.size < guilds.length) {
      if (Date.now() > deadline) throw new Error('the stays were not all stored within 5 minutes');
      const done = await db.db
        .selectFrom('voice_stays')
        .select(['guild_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('ended_at', 'is not', null)
        .groupBy('guild_id')
        .execute();
      for (const row of done) if (Number(row.n) >= perGuild && !storedAt.has(row.guild_id)) storedAt.set(row.guild_id, Date.now());
      await new Promise((r) => setTimeout(r, 20));
    }
    await burst;
    // Per shard (its guilds' last stay stored), then the whole burst.
    const row = (shard: string, mine: typeof guilds): GatewayRow => {
      const seconds = (Math.max(...mine.map((g) => storedAt.get(g.id)!)) - started) / 1000;
      const n = mine.length * perGuild * 2;
      return { processes: split ? '2, one shard each' : '1, both shards', shard, guilds: mine.length, events: n, seconds: round(seconds, 2), events_per_s: round(n / seconds, 0) };
    };
    return [
      ...[0, 1].map((id) =>
        row(
          `${id} of 2`,
          guilds.filter((g) => shardOf(g.id, 2) === id),
        ),
      ),
      row('all', guilds),
    ];
  } finally {
    await Promise.all(processes.map((p) => p.stop()));
    await db.close();
  }
}

export async function run(args: string[]): Promise<void> {
  const durationS = option(args, '--duration', 5);
  const events = option(args, '--events', 2_000);
  const rounds = option(args, '--rounds', 2);
  const proxyKind = (text(args, '--proxy') ?? (PROGRAMS.caddy.found() ? 'caddy' : 'node')) as ProxyKind;
  if (proxyKind !== 'caddy' && proxyKind !== 'node') throw new Error('--proxy must be caddy or node');
  if (!Number.isInteger(events) || events % 8 !== 0) throw new Error('--events must be a whole multiple of 8 (joins and leaves over 4 guilds)');
  if (!process.env.TEST_DATABASE_URL && !PROGRAMS.postgres.found()) throw new Error(`the cluster bench needs a PostgreSQL server: ${PROGRAMS.postgres.install} (or TEST_DATABASE_URL=postgres://…)`);
  const pg = await startPostgres();
  const url = new URL(pg.url);
  url.searchParams.set('schema', `bench_${randomUUID().slice(0, 8)}`);
  const databaseUrl = url.toString();
  // Four generated guilds after the fixture's, two on each shard of 2; rate limits off: the bench measures rollcall.
  const emu = await startEmulator({ heartbeatIntervalMs: 5_000, rateLimits: false, scale: { guilds: 5, members: Math.max(64, events / 8 + 2) }, fixture: installedWithInvitePermissions() });
  try {
    progress(`PostgreSQL at 127.0.0.1, ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}`);
    const answered = await interactions(databaseUrl, emu.api, durationS, rounds, proxyKind);
    printTable(answered, `Interactions per second (/schedule show, 16 connections, ${durationS} s each, proxy: ${proxyKind}; ${availableParallelism()} cores shared by everything)`);
    const one = await gateway(databaseUrl, emu, events, false);
    const perShard = (rows: GatewayRow[]) => rows.map((r) => `${r.shard}: ${r.events_per_s} events/s`).join(', ');
    progress(`1 process: ${perShard(one)}`);
    const two = await gateway(databaseUrl, emu, events, true);
    progress(`2 processes: ${perShard(two)}`);
    printTable([...one, ...two], `Gateway events per second (VOICE_STATE_UPDATE, each stay stored in PostgreSQL; ${events} events over 4 guilds)`);
    const rps = (setting: string) => answered.find((r) => r.setting.startsWith(setting))!.interactions_per_s;
    printResult({
      bench: 'cluster',
      cores: availableParallelism(),
      load_average: round(loadavg()[0]!, 1),
      proxy: proxyKind,
      interactions_per_s: { direct_1: rps('1 replica, direct'), proxy_1: rps('1 replica behind'), proxy_2: rps('2 replicas') },
      gateway_events_per_s: {
        one_process: { shard_0: one[0]!.events_per_s, shard_1: one[1]!.events_per_s, all: one[2]!.events_per_s },
        two_processes: { shard_0: two[0]!.events_per_s, shard_1: two[1]!.events_per_s, all: two[2]!.events_per_s },
      },
      interactions: answered,
      gateway: [...one, ...two],
    });
  } finally {
    await emu.close();
    pg.stop();
  }
}
