import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { ManualTimer } from '../../src/shared/clock.js';
import { BUCKETS } from '../../src/shared/discord/limiter.js';
import { testApp, testConfig } from '../helpers/app.js';
import { eventually, startWorld, type World } from '../helpers/world.js';

const EDIT_MS = BUCKETS.edit.periodMs;

/**
 * `start:http` and `start:gateway` as two processes on one SQLite file: both mark the daily message
 * dirty in bursts. They must never edit it at the same time, and together stay inside one budget.
 * The budget and the editor run on a timer the test holds still and moves, so every count is exact.
 */
describe('two processes sharing one database file', () => {
  let w: World;
  let second: App;
  const timer = new ManualTimer(Date.parse('2026-11-23T12:00:00Z'));
  const patchesSince = (since: number) => w.emu.events.filter((e) => e.kind === 'rest' && e.method === 'PATCH' && e.at >= since);

  beforeAll(async () => {
    // Set-up posts the message and its reactions: the timer follows real time meanwhile, then stops.
    const follow = setInterval(() => timer.advance(20), 20);
    w = await startWorld({ now: '2026-11-23T12:00:00Z', timer, emulator: { rateLimitClock: () => timer.now() } });
    const alice = w.emu.fixture.members.alice.id;
    await (await w.emu.runCommand(alice, 'config', [{ name: 'channel', options: [{ name: 'channel', value: w.emu.fixture.channels.tonight }] } as never])).final();
    await w.tick();
    clearInterval(follow);
    // Another process: its own connection, REST client, editor — same file, same time.
    second = await testApp(testConfig({ applicationId: w.emu.applicationId, publicKey: w.emu.publicKey, token: w.emu.token, apiUrl: w.emu.api, databasePath: w.dbPath }), { clock: w.clock, timer });
  });
  afterAll(async () => {
    await second.close();
    await w.close();
  });

  it('a burst of twelve changes from both processes costs one edit once the budget allows, with the final text and no 429', async () => {
    const post = (await w.app.posts.current(w.emu.fixture.guildId))!;
    timer.advance(EDIT_MS); // a full edit token
    w.emu.resetCounters();
    const since = Date.now();
    // One change spends the token at once…
    w.app.posts.touch(post);
    await w.settle();
    expect(patchesSince(since)).toHaveLength(1);
    const members = Object.values(w.emu.fixture.members).filter((m) => !m.bot);
    // …then twelve interleaved changes from both processes, as clicks and commands would make them.
    for (let i = 0; i < 12; i++) {
      const app = i % 2 === 0 ? w.app : second;
      await app.db
        .insertInto('availability')
        .values({ guild_id: post.guild_id, date: post.date, user_id: members[Math.floor(i / 6)]!.id, hour: 16 + (i % 6), declared: 'reaction', updated_at: i })
        .onConflict((oc) => oc.doNothing())
        .execute();
      app.posts.touch(post);
    }
    // Not one more edit until the budget has a token again, however long the wall clock runs.
    expect(patchesSince(since)).toHaveLength(1);
    timer.advance(EDIT_MS);
    await eventually(() => patchesSince(since).length === 2);
    await Promise.all([w.app.editor.settle(), second.editor.settle()]);
    // The waiting process took over nothing twice: a lease expiry later, still two.
    timer.advance(61_000);
    await Promise.all([w.app.editor.settle(), second.editor.settle()]);
    expect(patchesSince(since)).toHaveLength(2);
    expect(w.emu.counters.rateLimited).toBe(0);
    const text = w.emu.message(post.channel_id, post.message_id!)!.content;
    expect(text).toBe(await w.app.postView.content(post));
    expect(text).toMatch(/\*\*2\*\*/);
  });

  it('every edit takes a token of the one shared edit bucket — direct façade edits too — and the editor takes exactly one', async () => {
    const post = (await w.app.posts.current(w.emu.fixture.guildId))!;
    await Promise.all([w.app.editor.settle(), second.editor.settle()]);
    timer.advance(EDIT_MS);
    const since = Date.now();
    const shown = () => w.emu.message(post.channel_id, post.message_id!)!.content;
    // Two processes edit the message at once through the façade: one token, one edit.
    const one = w.app.discord.editMessage(post.channel_id, post.message_id!, { content: 'one' });
    await one;
    expect(shown()).toBe('one');
    const two = second.discord.editMessage(post.channel_id, post.message_id!, { content: 'two' });
    expect(patchesSince(since)).toHaveLength(1);
    timer.advance(EDIT_MS);
    await two;
    expect(patchesSince(since)).toHaveLength(2);
    expect(shown()).toBe('two');
    // Then the editor brings it up to date, after both. (Not touched while 'two' waits: the bucket
    // promises a token to whoever commits first, not to whoever asked first — on PostgreSQL the
    // editor's take may win the row lock and leave 'two' waiting for a token the held timer never gives.)
    second.posts.touch(post);
    timer.advance(EDIT_MS);
    await Promise.all([w.app.editor.settle(), second.editor.settle()]);
    // One token for the editor's edit, not one of its own plus the façade's.
    expect(patchesSince(since)).toHaveLength(3);
    timer.advance(EDIT_MS * 4);
    await Promise.all([w.app.editor.settle(), second.editor.settle()]);
    expect(patchesSince(since)).toHaveLength(3);
    expect(w.emu.counters.rateLimited).toBe(0);
    expect(w.emu.message(post.channel_id, post.message_id!)!.content).toBe(await w.app.postView.content(post));
  });

  it('a process that stalls past its lease mid-edit: its late, older edit is not the final text', async () => {
    const post = (await w.app.posts.current(w.emu.fixture.guildId))!;
    const [erin, frank] = [w.emu.fixture.members.erin.id, w.emu.fixture.members.frank.id];
    const show = () => w.emu.message(post.channel_id, post.message_id!)!.content;
    const mark = (app: App, userId: string, hour: number) =>
      app.db.insertInto('availability').values({ guild_id: post.guild_id, date: post.date, user_id: userId, hour, declared: 'reaction', updated_at: timer.now() }).execute();
    await Promise.all([w.app.editor.settle(), second.editor.settle()]);
    timer.advance(EDIT_MS * 4); // a full edit token
    const since = Date.now();

    // Process A edits for Erin; Discord (or the network) holds its PATCH.
    const sent = () => w.emu.counters.requests['PATCH /channels/:id/messages/:id'] ?? 0;
    const sentBefore = sent();
    const release = w.emu.injectFault({ method: 'PATCH', route: '/channels/:id/messages/:id', hold: true, count: 1 });
    await mark(w.app, erin, 22);
    w.app.posts.touch(post);
    await eventually(() => sent() === sentBefore + 1, 10_000);
    expect(patchesSince(since)).toHaveLength(0); // sent, still in flight

    // A is stalled past its lease (as a paused process would be): B takes over and edits for Frank too.
    await mark(second, frank, 23);
    await w.app.db.updateTable('message_edits').set({ lease_until: 0 }).where('message_id', '=', post.message_id!).execute();
    second.posts.touch(post);
    // B waits for the next token and edits; only then does A's late PATCH land, and A, seeing its lease
    // lost, asks again (held rather than delayed: on a loaded machine B took longer than a delay).
    timer.advance(EDIT_MS);
    await eventually(() => patchesSince(since).length === 1, 10_000);
    release();
    await eventually(() => patchesSince(since).length === 2, 10_000);
    timer.advance(EDIT_MS);

    await eventually(async () => {
      const expected = await w.app.postView.content(post);
      expect(show()).toBe(expected);
      expect(show()).toContain('Erin');
      expect(show()).toContain('Frankie');
    }, 10_000);
    await Promise.all([w.app.editor.settle(), second.editor.settle()]);
    // B's edit, A's late one, and the fresh edit after A saw it had lost the lease: no more.
    expect(patchesSince(since)).toHaveLength(3);
    expect(show()).toBe(await w.app.postView.content(post));
    expect(w.emu.counters.rateLimited).toBe(0);
  });
});
