import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/shared/db/database.js';
import { migrateToLatest } from '../../src/shared/db/migrate.js';
import { SqliteRateBudget } from '../../src/shared/discord/limiter.js';
import { createRest, DiscordApi } from '../../src/shared/discord/rest.js';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';
import { tempDir } from '../helpers/app.js';

/**
 * Discord allows one reaction request per 250 ms per channel, counted from when a request arrives;
 * rollcall's bucket gives a token per 300 ms from when it is taken. A request that is slow on its way
 * (a busy process, a first request opening its connection) must not let the next one arrive too soon.
 */
describe("the reaction bucket counts from Discord's answer", () => {
  let emu: Emulator;
  let database: OpenDatabase;
  let api: DiscordApi;
  const tmp = tempDir();

  beforeAll(async () => {
    emu = await startEmulator();
    database = openDatabase(`${tmp.dir}/budget.sqlite`);
    await migrateToLatest(database.db);
    api = new DiscordApi(createRest({ apiUrl: emu.api, token: emu.token }), emu.applicationId, new SqliteRateBudget(database.sqlite));
  });
  afterAll(async () => {
    await database.close();
    await emu.close();
    tmp.cleanup();
  });

  it('two reactions at once, the first held 200 ms on its way: the second arrives a full period after it, with no 429', async () => {
    // The route's first requests: @discordjs/rest learns the bucket from the first answer and starts
    // a fresh queue for it, so nothing but rollcall's own bucket keeps the second one back.
    const tonight = emu.fixture.channels.tonight;
    const message = await api.createMessage(tonight, { content: 'react to me' });
    emu.resetCounters();
    const since = Date.now();
    emu.injectFault({ method: 'PUT', route: '/channels/:id/messages/:id/reactions/:emoji/@me', latencyMs: 200, count: 1 });
    await Promise.all([api.addOwnReaction(tonight, message.id, '🕗'), api.addOwnReaction(tonight, message.id, '🕘')]);

    const puts = emu.events.filter((e) => e.kind === 'rest' && e.method === 'PUT' && e.at >= since);
    expect(puts.map((e) => e.kind === 'rest' && e.status)).toEqual([204, 204]);
    expect(emu.counters.rateLimited).toBe(0);
    expect(emu.message(tonight, message.id)!.reactions?.map((r) => r.emoji.name)).toEqual(['🕗', '🕘']);
  });
});
