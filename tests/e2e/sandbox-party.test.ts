import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/cli/start-sandbox.js';
import { databaseUrlFor } from '../helpers/engine.js';
import { eventually } from '../helpers/world.js';

/** The party alert and a reminder DM as the sandbox page shows them, driven only through its control API. */
describe('party alert and reminder in the sandbox', () => {
  const ZONE = 'America/New_York';
  let sandbox: Sandbox;
  let base: string;

  const post = async (path: string, body: unknown) =>
    (await fetch(`${base}/control${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<any>;
  const get = async (path: string) => (await fetch(`${base}/control${path}`)).json() as Promise<any>;
  const command = (user: string, name: string, sub: string, options: unknown[] = []) => post('/commands/run', { user, name, options: [{ name: sub, options }] });

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, ...databaseUrlFor(':memory:'), startAt: DateTime.fromISO('2026-11-23T19:00', { zone: ZONE }).toMillis(), logLevel: 'silent' });
    base = sandbox.pageUrl.replace(/\/$/, '');
  }, 30_000);
  afterAll(() => sandbox?.close());

  it('shows "🎉 … has 5" in #tonight, highlighted for the member it pings, and the reminder under their DMs', async () => {
    expect((await command('alice', 'config', 'party', [{ name: 'size', value: '5' }])).message.content).toContain('Party alert: at **5**');
    expect((await command('bob', 'remind', 'party', [{ name: 'state', value: 'on' }])).message.content).toContain('will mention you');
    expect((await command('bob', 'remind', 'before', [{ name: 'minutes', value: 30 }])).message.content).toContain('30 minutes before');
    const daily = (await get('/view/messages?channel=tonight&as=bob')).filter((m: any) => m.content.startsWith("**Who's playing")).at(-1);
    for (const user of ['alice', 'bob', 'carol', 'dan', 'frank']) await post('/react', { user, channel: 'tonight', message: daily.id, emoji: '🕘' });
    const alert = await eventually(async () => {
      const found = (await get('/view/messages?channel=tonight&as=bob')).find((m: any) => m.content.startsWith('🎉'));
      expect(found).toBeDefined();
      return found;
    });
    expect(alert.content).toMatch(/^🎉 <t:\d+:t> has 5: Al, <@\d+>, Caz, Dan, Frankie — see you there$/);
    expect(alert.mentionsMe).toBe(true);
    expect((await get('/view/messages?channel=tonight&as=dan')).find((m: any) => m.content.startsWith('🎉')).mentionsMe).toBe(false);

    expect(await get('/dms/bob')).toEqual([]);
    await post('/clock', { advanceMs: 90 * 60_000 }); // 20:30: half an hour before 21:00
    const dms = await eventually(async () => {
      const found = await get('/dms/bob');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(dms[0].content).toContain('Also coming then: Al, Caz, Dan, Frankie.');
    expect((await get('/view?as=bob')).dmChannelId).toBe(dms[0].channel_id);
  });
});
