import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/cli/start-sandbox.js';
import { databaseUrlFor } from '../helpers/engine.js';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';

/** What the page relies on, over plain HTTP: the clock route, the member's view, the static files. */
describe('the sandbox page’s endpoints', () => {
  const ZONE = 'America/New_York';
  const START = DateTime.fromISO('2026-11-23T21:10', { zone: ZONE }).toMillis();
  let sandbox: Sandbox;
  let base: string;

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}/control${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, ...databaseUrlFor(':memory:'), startAt: START, logLevel: 'silent' });
    base = sandbox.pageUrl.replace(/\/$/, '');
  }, 30_000);
  afterAll(() => sandbox?.close());

  it("tells the bot's time, its zone and the next post time", async () => {
    const clock = (await (await fetch(`${base}/control/clock`)).json()) as Record<string, any>;
    expect(clock.zone).toBe(ZONE);
    expect(clock.postTime).toBe('07:00');
    expect(clock.now).toBeGreaterThanOrEqual(START);
    expect(clock.nextPostAt).toBe(DateTime.fromISO('2026-11-24T07:00', { zone: ZONE }).toMillis());
    expect(clock.nextHourAt).toBe(DateTime.fromISO('2026-11-23T22:00', { zone: ZONE }).toMillis());
  });

  it('refuses to move the clock backwards, too far, or without saying how — and moves it otherwise', async () => {
    expect(await post('/clock', {})).toEqual({ status: 400, body: { error: "body must be {to: 'next-post'|'next-hour'} or {advanceMs: number}" } });
    expect(await post('/clock', { advanceMs: -60_000 })).toEqual({ status: 400, body: { error: 'the clock only moves forward' } });
    expect(await post('/clock', { advanceMs: 40 * 86_400_000 })).toEqual({ status: 400, body: { error: 'at most 31 days at a time' } });
    const before = sandbox.clock.now();
    const moved = await post('/clock', { advanceMs: 15 * 60_000 });
    expect(moved.status).toBe(200);
    expect(moved.body.now - before).toBeGreaterThanOrEqual(15 * 60_000);
    expect(sandbox.clock.now() - before).toBeGreaterThanOrEqual(15 * 60_000);
    const hour = await post('/clock', { to: 'next-hour' });
    expect(DateTime.fromMillis(hour.body.now, { zone: ZONE }).toFormat('HH:mm')).toBe('22:00');
  });

  it('shows a member the commands they may use, who reacted, and their ephemeral replies only', async () => {
    const dan = (await (await fetch(`${base}/control/view?as=dan`)).json()) as Record<string, any>;
    const usable = Object.fromEntries(dan.commands.map((c: { name: string; usable: boolean }) => [c.name, c.usable]));
    expect(usable).toMatchObject({ config: false, schedule: true, stats: true, timezone: true });
    expect(dan.members.find((m: { key: string }) => m.key === 'alice')).toMatchObject({ name: 'Al', admin: true });
    const daily = (await (await fetch(`${base}/control/view/messages?channel=tonight&as=dan`)).json()) as any[];
    const id = daily.at(-1).id;
    expect((await post('/react', { user: 'dan', channel: 'tonight', message: id, emoji: '🕙' })).status).toBe(200);
    const after = (await (await fetch(`${base}/control/view/messages?channel=tonight&as=dan`)).json()) as any[];
    expect(after.at(-1).reactions.find((r: any) => r.emoji.name === '🕙')).toMatchObject({ count: 2, me: true, users: ['rollcall', 'Dan'] });
    await post('/commands/run', { user: 'dan', name: 'schedule', options: [{ name: 'show', options: [] }] });
    const mine = (await (await fetch(`${base}/control/view/messages?channel=tonight&as=dan`)).json()) as any[];
    const theirs = (await (await fetch(`${base}/control/view/messages?channel=tonight&as=erin`)).json()) as any[];
    expect(mine.filter((m) => m.ephemeral).map((m) => m.interaction.name)).toEqual(['schedule']);
    expect(theirs.some((m) => m.ephemeral)).toBe(false);
  });

  it('a moderator scripted over the control API: clears the reactions (the clocks come back), deletes the message (post-now replaces it, votes kept)', async () => {
    const messages = async () => ((await (await fetch(`${base}/control/view/messages?channel=tonight&as=alice`)).json()) as any[]).filter((m) => !m.ephemeral && m.author?.id !== undefined);
    const daily = async () => (await messages()).filter((m) => m.content.startsWith("**Who's playing tonight?**")).at(-1);
    const before = await daily();
    expect((await post('/react', { user: 'erin', channel: 'tonight', message: before.id, emoji: '🕚' })).status).toBe(200);
    expect((await post('/reactions/clear', { channel: 'tonight', message: before.id })).status).toBe(200);
    await expect.poll(async () => (await daily()).reactions.filter((r: any) => r.me).length, { timeout: 10_000 }).toBe(before.reactions.filter((r: any) => r.me).length);

    expect((await post('/messages/delete', { channel: 'tonight', message: before.id })).status).toBe(200);
    const answer = await post('/commands/run', { user: 'alice', name: 'config', options: [{ name: 'post-now', options: [] }], waitMs: 20_000 });
    expect(answer.body.message?.content, JSON.stringify(answer.body)).toContain("Today's message was deleted, so I posted a new one");
    const replacement = await daily();
    expect(replacement.id).not.toBe(before.id);
    expect(replacement.content).toMatch(/Votes cast before <t:\d+:t> are kept/);
    expect(replacement.content).toContain('Erin');
  });

  it('serves the page files and nothing else', async () => {
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    for (const path of ['/sandbox/tsconfig.json', '/sandbox/..%2F..%2Fhttp.ts', '/sandbox/.hidden.js', '/sandbox/nope.js', '/elsewhere']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
  });
});

describe('the emulator alone (npm run emulator)', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator();
  });
  afterAll(() => emu?.close());

  it('serves the page but has no clock, so the page hides the clock controls', async () => {
    const base = emu.controlUrl.replace(/\/control$/, '');
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await fetch(`${base}/control/clock`)).status).toBe(404);
  });
});
