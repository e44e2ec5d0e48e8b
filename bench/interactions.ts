/**
 * `npm run bench -- interactions [--duration <s>] [--profile]`
 *
 * Throughput and latency of `POST /interactions` on the built server (`dist/src/http/main.js`, the
 * process `npm run start:http` runs), against two references measured in the same run:
 * - Discord's official example app (Express + discord-interactions' `verifyKeyMiddleware`);
 * - the Ed25519 verify ceiling: node:crypto `verify` with a key object built once, one core.
 * Requests are PING and `/config show`, signed once at the start of each server's phase (the server
 * refuses timestamps older than five minutes). Each server runs alone in a child process; phases run
 * one after another. `--profile` runs rollcall under `node --cpu-prof` and prints where its time went.
 */
import { createPublicKey, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { APPLICATION_ID, command, ping, signed } from '../tests/helpers/interactions.js';
import { createTestKeys, type TestKeys } from '../tests/helpers/keys.js';
import { ensureBuilt, ROOT } from './lib/build.js';
import { freePort, startServer, type ServerProcess } from './lib/child.js';
import { paced, saturate, type LoadResult, type PreparedRequest } from './lib/load.js';
import { summariseProfiles } from './lib/profile.js';
import { printResult, printTable, progress, type Row } from './lib/report.js';
import { round } from './lib/stats.js';

const FIXED_RATE = 500;
const TARGETS = { vsExpress: 1.5, ofVerifyCeiling: 0.6, p99MsAt500: 10 } as const;
/** Distinct signed requests per kind, cycled by the load generators. */
const POOL = 32;

type Kind = 'ping' | 'command';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}

function prepare(keys: TestKeys, bodies: unknown[]): PreparedRequest[] {
  return bodies.map((body) => {
    const s = signed(keys, body);
    return { method: 'POST', path: '/interactions', headers: s.headers, body: s.payload };
  });
}

/** Fresh signatures for one server's phase: PINGs and the given slash command. */
function requestsFor(keys: TestKeys, commandName: string, subcommand: string | null): Record<Kind, PreparedRequest[]> {
  const many = (make: () => unknown) => Array.from({ length: POOL }, make);
  return { ping: prepare(keys, many(ping)), command: prepare(keys, many(() => command(commandName, subcommand))) };
}

/** One request of each kind must get the expected answer, and a forged one a 401, before any load. */
async function checkAnswers(url: string, requests: Record<Kind, PreparedRequest[]>, expectCommand: (json: any) => boolean): Promise<void> {
  const send = async (r: PreparedRequest) => {
    const res = await fetch(url + r.path, { method: r.method, headers: r.headers, body: r.body });
    return { status: res.status, text: await res.text() };
  };
  const pong = await send(requests.ping[0]!);
  if (pong.status !== 200 || JSON.parse(pong.text).type !== 1) throw new Error(`${url}: PING answered ${pong.status} ${pong.text}`);
  const answer = await send(requests.command[0]!);
  if (answer.status !== 200 || !expectCommand(JSON.parse(answer.text))) throw new Error(`${url}: command answered ${answer.status} ${answer.text}`);
  const forged = requests.ping[0]!;
  const bad = await send({ ...forged, body: forged.body.replace('"type":1', '"type":1 ') });
  if (bad.status !== 401) throw new Error(`${url}: a forged request got ${bad.status}, not 401; the benchmark would measure nothing`);
}

/** Load figures plus what they cost the server: requests per CPU-second of its process (all threads). */
type Figures = LoadResult & { perCpuS: number | undefined };

interface ServerFigures {
  saturated: Record<Kind, Figures>;
  at500: Record<Kind, Figures>;
}

async function costed(server: ServerProcess, load: () => Promise<LoadResult>): Promise<Figures> {
  const before = server.cpuSeconds();
  const result = await load();
  const after = server.cpuSeconds();
  return { ...result, perCpuS: before !== undefined && after !== undefined && after > before ? result.ok / (after - before) : undefined };
}

async function measure(server: ServerProcess, requests: Record<Kind, PreparedRequest[]>, durationS: number, label: string): Promise<ServerFigures> {
  const mixed = requests.ping.flatMap((r, i) => [r, requests.command[i]!]);
  progress(`${label}: warm-up ${Math.min(2, durationS)} s`);
  await saturate(server.url, mixed, Math.min(2, durationS));
  const figures = { saturated: {}, at500: {} } as ServerFigures;
  for (const kind of ['ping', 'command'] as const) {
    progress(`${label}: ${kind}, saturated, ${durationS} s`);
    figures.saturated[kind] = await costed(server, () => saturate(server.url, requests[kind], durationS));
  }
  for (const kind of ['ping', 'command'] as const) {
    progress(`${label}: ${kind}, ${FIXED_RATE} req/s, ${durationS} s`);
    figures.at500[kind] = await costed(server, () => paced(server.url, requests[kind], FIXED_RATE, durationS));
  }
  const failed = [...Object.values(figures.saturated), ...Object.values(figures.at500)].reduce((n, r) => n + r.failed, 0);
  if (failed > 0) throw new Error(`${label}: ${failed} request(s) failed or were refused under load; figures would be meaningless`);
  return figures;
}

/**
 * node:crypto Ed25519 verifications per second on this core, key object built once; per wall-clock
 * second and per CPU-second of this (single-threaded) loop.
 */
function verifyCeiling(keys: TestKeys, message: Buffer, seconds: number): { rps: number; perCpuS: number } {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(keys.publicKeyHex, 'hex').toString('base64url') }, format: 'jwk' });
  const signature = sign(null, message, keys.privateKey);
  const warmUntil = performance.now() + 200;
  while (performance.now() < warmUntil) verify(null, message, key, signature);
  let count = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 100; i++) if (!verify(null, message, key, signature)) throw new Error('verify ceiling: signature rejected');
    count += 100;
    now = performance.now();
  }
  const used = process.cpuUsage(cpu);
  return { rps: count / ((now - start) / 1000), perCpuS: count / ((used.user + used.system) / 1e6) };
}

export async function run(args: string[]): Promise<void> {
  const durationS = Number(option(args, '--duration') ?? 6);
  const profile = args.includes('--profile');
  if (!(durationS > 0 && durationS <= 60)) throw new Error('--duration must be 1–60 seconds');

  const loadStart = loadavg()[0]!;
  ensureBuilt(['dist/src/http/main.js', 'dist/src/http/server.js', 'dist/src/shared/app.js']);
  const tmp = mkdtempSync(join(tmpdir(), 'rollcall-bench-'));
  const servers: ServerProcess[] = [];
  try {
    const keys = createTestKeys();

    progress('verify ceiling: node:crypto Ed25519, 2 s');
    const sample = requestsFor(keys, 'config', 'show').command[0]!;
    const ceiling = verifyCeiling(keys, Buffer.concat([Buffer.from(sample.headers['x-signature-timestamp']!), Buffer.from(sample.body)]), 2);

    const rollcallPort = await freePort();
    const rollcall = await startServer({
      script: 'dist/src/http/main.js',
      port: rollcallPort,
      readyPath: '/healthz',
      nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${join(tmp, 'profile')}`] : [],
      env: {
        DISCORD_APPLICATION_ID: APPLICATION_ID,
        DISCORD_PUBLIC_KEY: keys.publicKeyHex,
        DISCORD_TOKEN: 'bench-token-0123456789abcdef',
        // Never called: /config show answers from SQLite.
        DISCORD_API_URL: 'http://127.0.0.1:9/api',
        DATABASE_PATH: join(tmp, 'rollcall.sqlite'),
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(rollcallPort),
        LOG_LEVEL: 'silent',
      },
    });
    servers.push(rollcall);
    const ours = requestsFor(keys, 'config', 'show');
    await checkAnswers(rollcall.url, ours, (json) => json.type === 4 && String(json.data?.content).includes('rollcall settings'));
    const r = await measure(rollcall, ours, durationS, 'rollcall');
    await rollcall.stop();

    const expressPort = await freePort();
    const express = await startServer({
      script: join(ROOT, 'bench/servers/discord-example-app.js'),
      port: expressPort,
      readyPath: '/',
      env: { PUBLIC_KEY: keys.publicKeyHex, PORT: String(expressPort), NODE_ENV: 'production' },
    });
    servers.push(express);
    const theirs = requestsFor(keys, 'test', null);
    await checkAnswers(express.url, theirs, (json) => json.type === 4);
    const e = await measure(express, theirs, durationS, 'express example');
    await express.stop();

    // Headline figures are the worse of the two request kinds.
    const worst = (f: ServerFigures, pick: (x: Figures) => number | undefined, by: 'min' | 'max') => {
      const values = [pick(f.saturated.ping), pick(f.saturated.command)];
      if (values.some((v) => v === undefined)) return undefined;
      return Math[by](...(values as number[]));
    };
    const rps = worst(r, (x) => x.rps, 'min')!;
    const expressRps = worst(e, (x) => x.rps, 'min')!;
    const rpsCpu = worst(r, (x) => x.perCpuS, 'min');
    const expressRpsCpu = worst(e, (x) => x.perCpuS, 'min');
    const p50 = Math.max(r.at500.ping.p50Ms, r.at500.command.p50Ms);
    const p99 = Math.max(r.at500.ping.p99Ms, r.at500.command.p99Ms);
    const vsExpress = rps / expressRps;
    const ofCeiling = rps / ceiling.rps;
    const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? round(a / b) : null);

    const row = (name: string, f: ServerFigures, kind: Kind, request: string): Row => ({
      server: name,
      request,
      'req/s': Math.round(f.saturated[kind].rps),
      'of ceiling': `${Math.round((100 * f.saturated[kind].rps) / ceiling.rps)} %`,
      'req/CPU-s': f.saturated[kind].perCpuS === undefined ? null : Math.round(f.saturated[kind].perCpuS!),
      'of ceiling/CPU': f.saturated[kind].perCpuS === undefined ? null : `${Math.round((100 * f.saturated[kind].perCpuS!) / ceiling.perCpuS)} %`,
      'p50 ms @500': round(f.at500[kind].p50Ms),
      'p99 ms @500': round(f.at500[kind].p99Ms),
    });
    printTable(
      [
        row('rollcall (dist)', r, 'ping', 'PING'),
        row('rollcall (dist)', r, 'command', '/config show'),
        row('express example', e, 'ping', 'PING'),
        row('express example', e, 'command', '/test'),
        {
          server: 'node:crypto verify',
          request: 'Ed25519, 1 core',
          'req/s': Math.round(ceiling.rps),
          'of ceiling': '100 %',
          'req/CPU-s': Math.round(ceiling.perCpuS),
          'of ceiling/CPU': '100 %',
          'p50 ms @500': null,
          'p99 ms @500': null,
        },
      ],
      `POST /interactions — ${durationS} s per phase; req/s saturated with 16 connections; req/CPU-s = answers per CPU-second the server used (all threads; not skewed by other load); latency open-loop at ${FIXED_RATE} req/s`,
    );
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    printTable(
      [
        { target: `≥ ${TARGETS.vsExpress}× the Express example`, measured: `${round(vsExpress)}×`, 'per CPU-s': ratio(rpsCpu, expressRpsCpu), result: verdict(vsExpress >= TARGETS.vsExpress) },
        { target: `≥ ${TARGETS.ofVerifyCeiling * 100} % of the verify ceiling`, measured: `${Math.round(ofCeiling * 100)} %`, 'per CPU-s': ratio(rpsCpu, ceiling.perCpuS), result: verdict(ofCeiling >= TARGETS.ofVerifyCeiling) },
        { target: `p99 ≤ ${TARGETS.p99MsAt500} ms at ${FIXED_RATE} req/s`, measured: `${round(p99)} ms`, 'per CPU-s': null, result: verdict(p99 <= TARGETS.p99MsAt500) },
      ],
      `Targets (rollcall figures are the worse of PING and /config show; load average ${loadStart.toFixed(1)} → ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores)`,
    );
    if (loadavg()[0]! > availableParallelism() || loadStart > availableParallelism()) {
      console.log('note: the machine was busy with other work; wall-clock req/s and p99 are noisy, the per-CPU-second figures much less so.');
    }
    if (profile) {
      const { functions, owners } = summariseProfiles(join(tmp, 'profile'));
      printTable(owners, 'rollcall CPU profile: self time by owner');
      printTable(functions, 'rollcall CPU profile: self time by function');
    }
    console.log('');
    const maybe = (v: number | undefined) => (v === undefined ? null : Math.round(v));
    printResult({
      bench: 'interactions',
      rps: Math.round(rps),
      rps_ping: Math.round(r.saturated.ping.rps),
      rps_config_show: Math.round(r.saturated.command.rps),
      express_rps: Math.round(expressRps),
      express_rps_ping: Math.round(e.saturated.ping.rps),
      express_rps_command: Math.round(e.saturated.command.rps),
      verify_ceiling_rps: Math.round(ceiling.rps),
      ratio_vs_express: round(vsExpress),
      ratio_of_verify_ceiling: round(ofCeiling),
      p50_ms_at_500: round(p50),
      p99_ms_at_500: round(p99),
      p50_ms_at_500_ping: round(r.at500.ping.p50Ms),
      p99_ms_at_500_ping: round(r.at500.ping.p99Ms),
      p50_ms_at_500_config_show: round(r.at500.command.p50Ms),
      p99_ms_at_500_config_show: round(r.at500.command.p99Ms),
      express_p50_ms_at_500: round(Math.max(e.at500.ping.p50Ms, e.at500.command.p50Ms)),
      express_p99_ms_at_500: round(Math.max(e.at500.ping.p99Ms, e.at500.command.p99Ms)),
      rps_per_cpu_s: maybe(rpsCpu),
      express_rps_per_cpu_s: maybe(expressRpsCpu),
      verify_ceiling_per_cpu_s: Math.round(ceiling.perCpuS),
      ratio_vs_express_per_cpu_s: ratio(rpsCpu, expressRpsCpu),
      ratio_of_verify_ceiling_per_cpu_s: ratio(rpsCpu, ceiling.perCpuS),
      target_vs_express_met: vsExpress >= TARGETS.vsExpress,
      target_verify_ceiling_met: ofCeiling >= TARGETS.ofVerifyCeiling,
      target_p99_met: p99 <= TARGETS.p99MsAt500,
      duration_s_per_phase: durationS,
      loadavg_1m_start: round(loadStart),
      loadavg_1m_end: round(loadavg()[0]!),
      node: process.version,
    });
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(tmp, { recursive: true, force: true });
  }
}
