import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/shared/app.js';
import { testApp, testConfig } from '../helpers/app.js';
import { startWorld, type World } from '../helpers/world.js';

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
    second = await testApp(
      testConfig({ applicationId: w.emu.applicationId, publicKey: w.emu.publicKey, token: w.emu.token, apiUrl: w.emu.api, databasePath: w.dbPath }),
      { clock: w.clock },
    );
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
    expect(text).toBe(await w.app.posts.content(post));
    expect(text).toMatch(/\*\*2\*\*/);
  });
});
