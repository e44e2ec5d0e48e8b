/**
 * The repository's Caddyfile in front of several webhook replicas (docs/scaling.md):
 * `ROLLCALL_UPSTREAM` lists them, requests go round robin, and a replica that refuses the connection
 * is skipped — the signed POST is sent again, whole, to the next one (Caddy 2.6 needs
 * `buffer_requests` for that, or it answers 502 "invalid Read on closed Body").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/app.js';
import { ping, signed } from '../helpers/interactions.js';
import { needs } from '../helpers/programs.js';
import { startHarness, type Harness } from '../helpers/server.js';
import { REPO } from './helpers/cli.js';
import { freePort } from './helpers/ports.js';

const need = needs('caddy');

describe.skipIf(need.missing)(need.title('Caddyfile with several replicas'), () => {
  const bots: Harness[] = [];
  let caddy: ChildProcess;
  let caddyLog = '';
  let url = '';
  let tmp: ReturnType<typeof tempDir>;
  let dead = 0;

  beforeAll(async () => {
    tmp = tempDir();
    // Two live replicas sharing Discord's key, and a third address where nothing listens (a replica killed).
    bots.push(await startHarness());
    bots.push(await startHarness({ keys: bots[0]!.keys }));
    const live = await Promise.all(bots.map(async (b) => new URL(await b.listen()).host));
    dead = await freePort();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    caddy = spawn('caddy', ['run', '--config', join(REPO, 'Caddyfile'), '--adapter', 'caddyfile'], {
      env: {
        PATH: process.env.PATH ?? '',
        ROLLCALL_SITE: url,
        ROLLCALL_UPSTREAM: [live[0], `127.0.0.1:${dead}`, live[1]].join(' '),
        CADDY_ADMIN: 'off',
        HOME: tmp.dir,
        XDG_DATA_HOME: join(tmp.dir, 'data'),
        XDG_CONFIG_HOME: join(tmp.dir, 'config'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    caddy.stderr?.on('data', (c: Buffer) => (caddyLog += c.toString()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (caddy.exitCode !== null || Date.now() > deadline) throw new Error(`caddy did not come up:\n${caddyLog}`);
      const up = await fetch(`${url}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 30_000);

  afterAll(async () => {
    if (caddy && caddy.exitCode === null) {
      const exited = new Promise((r) => caddy.once('exit', r));
      caddy.kill('SIGTERM');
      await exited;
    }
    for (const b of bots) await b.close();
    tmp?.cleanup();
  });

  it('every signed interaction is answered by a live replica: the dead one’s turns go to the next', async () => {
    const answers: { status: number; body: string }[] = [];
    for (let i = 0; i < 9; i++) {
      const s = signed(bots[0]!.keys, ping());
      const res = await fetch(`${url}/interactions`, { method: 'POST', headers: s.headers, body: s.payload });
      answers.push({ status: res.status, body: await res.text() });
    }
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);
    for (const a of answers) expect(JSON.parse(a.body)).toEqual({ type: 1 });
    expect(caddyLog).not.toContain('invalid Read on closed Body');
    // One access-log line per interaction: a retry is inside Caddy, the client sent each once.
    const handled = caddyLog.split('\n').filter((l) => l.includes('"handled request"') && l.includes('"/interactions"'));
    expect(handled).toHaveLength(9);
  });
});
