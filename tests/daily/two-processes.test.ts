import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { testApp, testConfig } from '../helpers/app.js';
import { eventually, startWorld, type World } from '../helpers/world.js';

/**
 * `start:http` and `start:gateway` as two processes on one SQLite file: both mark the daily message
 * dirty in bursts. They must never edit it at the same time, and together stay inside one budget.
 */
describe('two processes sharing one database file', () => {
  let w: World;
  let second: App;

  beforeAll(async () => {
    w = await startWorld({ now: '2026-11-23T12:00:00Z' });
    const alice = w.emu.fixture.members.alice.id;
    await (await w.emu.runCommand(alice, 'config', [{ name: 'channel', options: [{ name: 'channel', value: w.emu.fixture.channels.tonight }] } as never])).final();
    await w.tick();
    // Another process: its own connection, REST client, editor — same file.
    second = await testApp(testConfig({ applicationId: w.emu.applicationId, publicKey: w.emu.publicKey, token: w.emu.token, apiUrl: w.emu.api, databasePath: w.dbPath }), { clock: w.clock });
  });
  afterAll(async () => {
    await second.close();
    await w.close();
  });

  it('edits one at a time, spaced by the shared budget, with no 429, and ends on the final text', async () => {
    const post = (await w.app.posts.current(w.emu.fixture.guildId))!;
    await new Promise((r) => setTimeout(r, 1_300));
    w.emu.resetCounters();
    const since = Date.now();
    const members = Object.values(w.emu.fixture.members).filter((m) => !m.bot);
    // Interleaved changes from both processes, as clicks and commands would make them.
    for (let i = 0; i < 12; i++) {
      const app = i % 2 === 0 ? w.app : second;
      await app.db
        .insertInto('availability')
        .values({ guild_id: post.guild_id, date: post.date, user_id: members[Math.floor(i / 6)]!.id, hour: 16 + (i % 6), declared: 'reaction', updated_at: i })
        .onConflict((oc) => oc.doNothing())
        .execute();
      app.posts.touch(post);
      await new Promise((r) => setTimeout(r, 60));
    }
    await Promise.all([w.app.editor.settle(), second.editor.settle()]);
    const patches = w.emu.events.filter((e) => e.kind === 'rest' && e.method === 'PATCH' && e.at >= since);
    expect(patches.length).toBeGreaterThanOrEqual(1);
    expect(patches.length).toBeLessThanOrEqual(3);
    for (let i = 1; i < patches.length; i++) expect(patches[i]!.at - patches[i - 1]!.at).toBeGreaterThanOrEqual(1_200);
    expect(w.emu.counters.rateLimited).toBe(0);
    const text = w.emu.message(post.channel_id, post.message_id!)!.content;
    expect(text).toBe(await w.app.postView.content(post));
    expect(text).toMatch(/\*\*2\*\*/);
  });

  it('every edit takes a token of the one shared edit bucket — direct façade edits too — and the editor takes exactly one', async () => {
    const post = (await w.app.posts.current(w.emu.fixture.guildId))!;
    await Promise.all([w.app.editor.settle(), second.editor.settle()]);
    await new Promise((r) => setTimeout(r, 1_300));
    const since = Date.now();
    const patches = () => w.emu.events.filter((e) => e.kind === 'rest' && e.method === 'PATCH' && e.at >= since);
    // Two processes edit the message at once through the façade, then the editor brings it up to date.
    await Promise.all([w.app.discord.editMessage(post.channel_id, post.message_id!, { content: 'one' }), second.discord.editMessage(post.channel_id, post.message_id!, { content: 'two' })]);
    second.posts.touch(post);
    await Promise.all([w.app.editor.settle(), second.editor.settle()]);
    const at = patches().map((e) => e.at);
    expect(at).toHaveLength(3);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(1_200);
    // One token for the editor's edit, not one of its own plus the façade's.
    expect(at[2]! - at[1]!).toBeLessThan(2_300);
    expect(w.emu.counters.rateLimited).toBe(0);
    expect(w.emu.message(post.channel_id, post.message_id!)!.content).toBe(await w.app.postView.content(post));
  });

  it('a process that stalls past its lease mid-edit: its late, older edit is not the final text', async () => {
    const post = (await w.app.posts.current(w.emu.fixture.guildId))!;
    const [erin, frank] = [w.emu.fixture.members.erin.id, w.emu.fixture.members.frank.id];
    const show = () => w.emu.message(post.channel_id, post.message_id!)!.content;
    const mark = (app: App, userId: string, hour: number) =>
      app.db.insertInto('availability').values({ guild_id: post.guild_id, date: post.date, user_id: userId, hour, declared: 'reaction', updated_at: Date.now() }).execute();
    await Promise.all([w.app.editor.settle(), second.editor.settle()]);
    await new Promise((r) => setTimeout(r, 1_300)); // a full edit token
    const since = Date.now();

    // Process A edits for Erin; Discord (or the network) holds its PATCH for 2.5 s.
    w.emu.injectFault({ method: 'PATCH', route: '/channels/:id/messages/:id', latencyMs: 2_500, count: 1 });
    await mark(w.app, erin, 22);
    w.app.posts.touch(post);
    await new Promise((r) => setTimeout(r, 300));
    expect(w.emu.events.some((e) => e.kind === 'rest' && e.method === 'PATCH' && e.at >= since)).toBe(false); // still in flight

    // A is stalled past its lease (as a paused process would be): B takes over and edits for Frank too.
    await mark(second, frank, 23);
    w.app.sqlite.prepare('update message_edits set lease_until = 0 where message_id = ?').run(post.message_id);
    second.posts.touch(post);

    await eventually(async () => {
      const expected = await w.app.postView.content(post);
      expect(show()).toBe(expected);
      expect(show()).toContain('Erin');
      expect(show()).toContain('Frankie');
      // B's edit, A's late one, and the fresh edit after A saw it had lost the lease.
      expect(w.emu.events.filter((e) => e.kind === 'rest' && e.method === 'PATCH' && e.at >= since).length).toBeGreaterThanOrEqual(3);
    }, 10_000);
    await Promise.all([w.app.editor.settle(), second.editor.settle()]);
    expect(show()).toBe(await w.app.postView.content(post));
    expect(w.emu.counters.rateLimited).toBe(0);
  });
});
