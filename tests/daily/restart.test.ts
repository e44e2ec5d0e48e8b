import { afterEach, describe, expect, it } from 'vitest';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { defaultFixtureInput } from '../../src/sandbox/index.js';
import { noteStorageWritten } from '../../src/shared/errors.js';
import { TEST_DB } from '../helpers/engine.js';
import { botMessages, configureGuild, eventually, startConfiguredWorld, startWorld, type World } from '../helpers/world.js';

const POST_TIME = '2026-11-23T12:00:00Z'; // 07:00 in New York

const configuredWorld = () => startConfiguredWorld(POST_TIME);
const postRow = (w: World) => w.app.db.selectFrom('daily_posts').selectAll().executeTakeFirstOrThrow();

/** Exactly one message, with all four slot reactions, and the row agrees. */
async function expectExactlyOne(w: World) {
  const msgs = botMessages(w);
  expect(msgs).toHaveLength(1);
  expect(msgs[0]!.reactions?.map((r) => r.emoji.name)).toEqual(['🕗', '🕘', '🕙', '🕚']);
  const row = await postRow(w);
  expect(row).toMatchObject({ state: 'reacted', message_id: msgs[0]!.id });
}

describe('kill and restart at each step of posting: exactly one message, never none', () => {
  let w: World;
  afterEach(() => w?.close());

  it('crash after the intent was written, before Discord saw anything', async () => {
    w = await configuredWorld();
    w.emu.injectFault({ method: 'POST', route: '/channels/:id/messages', status: 503, count: 3 });
    await w.tick();
    expect(botMessages(w)).toHaveLength(0);
    expect((await postRow(w)).state).toBe('planned');
    await w.crash();
    await w.restart();
    await w.tick();
    await expectExactlyOne(w);
  });

  it('crash after Discord created the message but before the bot recorded it: the retry with the same nonce returns it', async () => {
    w = await configuredWorld();
    await w.tick();
    const first = botMessages(w)[0]!;
    // The state a kill -9 between the REST answer and the UPDATE leaves behind:
    await w.app.db.updateTable('daily_posts').set({ state: 'planned', message_id: null, posted_at: null }).execute();
    await w.crash();
    await w.restart();
    await w.tick();
    await expectExactlyOne(w);
    expect(botMessages(w)[0]!.id).toBe(first.id);
  });

  it('same, but the restart comes after Discord forgot the nonce: found by its header instead', async () => {
    w = await configuredWorld();
    await w.tick();
    const first = botMessages(w)[0]!;
    await w.app.db
      .updateTable('daily_posts')
      .set({ state: 'planned', message_id: null, posted_at: null, created_at: Date.parse(POST_TIME) - 3_600_000 })
      .execute();
    await w.crash();
    w.clock.advance(60 * 60_000);
    await w.restart();
    await w.tick();
    await expectExactlyOne(w);
    expect(botMessages(w)[0]!.id).toBe(first.id);
  });

  it('crash while adding the reactions', async () => {
    w = await configuredWorld();
    w.emu.injectFault({ method: 'PUT', route: '/channels/:id/messages/:id/reactions/:emoji/@me', status: 500, count: 30 });
    await w.tick();
    expect((await postRow(w)).state).toBe('posted');
    await w.crash();
    w.emu.clearFaults();
    await w.restart();
    await w.tick();
    await expectExactlyOne(w);
  });

  it('the bot was down at post time: it posts on start the same day, and not the day after', async () => {
    w = await configuredWorld();
    await w.stopBot();
    w.clock.set(Date.parse('2026-11-23T20:00:00Z')); // 15:00, post time long past
    await w.restart();
    await w.tick();
    await expectExactlyOne(w);
    await w.stopBot();
    // Down for the whole next day until after midnight: no message for the 24th, none twice for the 23rd.
    w.clock.set(Date.parse('2026-11-25T06:00:00Z')); // 01:00 on the 25th, before that day's post time
    await w.restart();
    await w.tick();
    expect(botMessages(w)).toHaveLength(1);
  });

  it('a channel the bot cannot post in: a clear log line, a failed row, /config show says why, nothing retried in a loop', async () => {
    w = await configuredWorld();
    const alice = w.emu.fixture.members.alice.id;
    // The configured channel was deleted: Discord answers 10003 Unknown Channel.
    await w.app.db.updateTable('guild_config').set({ channel_id: '1085457353932800999' }).execute();
    await w.tick();
    const row = await postRow(w);
    expect(row.state).toBe('failed');
    expect(row.error).toContain('no longer exists');
    const show = String((await (await w.emu.runCommand(alice, 'config', [{ name: 'show', options: [] } as never])).final()).content);
    expect(show).toContain('not posted');
    const again = String((await (await w.emu.runCommand(alice, 'config', [{ name: 'post-now', options: [] } as never])).final()).content);
    expect(again).toContain("I can't post in");
    await w.tick();
    expect(botMessages(w)).toHaveLength(0);
  });
});

describe('a channel where the bot lacks Send Messages (Discord 50013)', () => {
  let w: World;
  afterEach(() => w?.close());

  it('fails with a reason the admin can act on; after the fix, /config post-now posts it', async () => {
    const channels = defaultFixtureInput().channels.map((c) => (c.key === 'general' ? { ...c, overwrites: [{ memberKey: 'rollcall', deny: PermissionFlagsBits.SendMessages }] } : c));
    w = await startWorld({ now: POST_TIME, emulator: { fixture: { channels } } });
    const alice = w.emu.fixture.members.alice.id;
    const general = w.emu.fixture.channels.general;
    await configureGuild(w, general);
    await w.tick();
    expect(await postRow(w)).toMatchObject({ state: 'failed', error: 'missing access or permissions' });
    const now = String((await (await w.emu.runCommand(alice, 'config', [{ name: 'post-now', options: [] } as never])).final()).content);
    expect(now).toContain(`I can't post in <#${general}>`);
    expect(now).toContain('Send Messages');
    // The admin picks a channel the bot can post in; post-now retries the failed day.
    await (await w.emu.runCommand(alice, 'config', [{ name: 'channel', options: [{ name: 'channel', value: w.emu.fixture.channels.tonight }] } as never])).final();
    const retried = String((await (await w.emu.runCommand(alice, 'config', [{ name: 'post-now', options: [] } as never])).final()).content);
    expect(retried).toContain("Posted today's message");
    await w.settle();
    await expectExactlyOne(w);
  });
});

describe('a channel where the bot can post but not react (Discord 50013 on the reactions)', () => {
  let w: World;
  afterEach(() => w?.close());

  const reactionPuts = (world: World) => world.emu.events.filter((e) => e.kind === 'rest' && e.method === 'PUT' && e.path.includes('/reactions/')).length;

  it.each([
    ['Add Reactions', PermissionFlagsBits.AddReactions],
    ['Read Message History', PermissionFlagsBits.ReadMessageHistory],
  ])('without %s: posted, marked "reactions missing", no retry loop; post-now after the fix adds them', async (_name, denied) => {
    const channels = defaultFixtureInput().channels.map((c) => (c.key === 'general' ? { ...c, overwrites: [{ memberKey: 'rollcall', deny: denied }] } : c));
    w = await startWorld({ now: POST_TIME, emulator: { fixture: { channels } } });
    const alice = w.emu.fixture.members.alice.id;
    const general = w.emu.fixture.channels.general;
    const config = async (sub: string, options: unknown[] = []) => await (await w.emu.runCommand(alice, 'config', [{ name: sub, options } as never])).final();
    await config('channel', [{ name: 'channel', value: general }]);
    await config('hours', [
      { name: 'first', value: 20 },
      { name: 'last', value: 23 },
    ]);
    await w.tick();
    const messages = () => w.emu.messages(general).filter((m) => m.author.id === w.emu.applicationId && !m.ephemeral_for);
    expect(messages()).toHaveLength(1);
    expect(messages()[0]!.reactions ?? []).toEqual([]);
    expect(await postRow(w)).toMatchObject({ state: 'failed', message_id: messages()[0]!.id, error: expect.stringContaining('Add Reactions or Read Message History') });

    // The scheduler does not hammer Discord: later ticks try nothing.
    const puts = reactionPuts(w);
    await w.tick();
    await w.tick();
    expect(reactionPuts(w)).toBe(puts);

    const refused = await config('post-now');
    expect(refused.ephemeral_for).toBe(alice);
    expect(refused.content).not.toMatch(/something went wrong/i);
    expect(refused.content).toContain("can't add the hour reactions");
    expect(refused.content).toContain('Add Reactions');
    expect(refused.content).toContain('Read Message History');
    const show = String((await config('show')).content);
    expect(show).toContain(`/channels/${w.emu.fixture.guildId}/${general}/${messages()[0]!.id}`);
    expect(show).toContain('hour reactions are missing');
    expect(show).toContain('Add Reactions or Read Message History');

    // The admin fixes the permission; post-now finishes the reactions on the same message.
    w.emu.world.channel(general).overwrites = [];
    const done = await config('post-now');
    expect(done.content).toContain("Posted today's message");
    await w.settle();
    expect(messages()).toHaveLength(1);
    expect(messages()[0]!.reactions?.map((r) => r.emoji.name)).toEqual(['🕗', '🕘', '🕙', '🕚']);
    expect(await postRow(w)).toMatchObject({ state: 'reacted', message_id: messages()[0]!.id, error: null });
    expect(String((await config('show')).content)).not.toContain('⚠️');
  });

  it('the message was deleted before its reactions (10008): posted again at once, exactly one message with every reaction', async () => {
    w = await configuredWorld();
    const tonight = w.emu.fixture.channels.tonight;
    const alice = w.emu.fixture.members.alice.id;
    // The message is created, then deleted by a moderator before the first reaction lands.
    w.emu.injectFault({ method: 'PUT', route: '/channels/:id/messages/:id/reactions/:emoji/@me', latencyMs: 300, count: 1 });
    const ticking = w.tick();
    await eventually(() => botMessages(w).length === 1);
    const deleted = botMessages(w)[0]!.id;
    await w.emu.deleteMessage(tonight, deleted);
    await ticking;
    await w.settle();
    await expectExactlyOne(w);
    expect(botMessages(w)[0]!.id).not.toBe(deleted);
    expect(await postRow(w)).toMatchObject({ replacements: 1, error: null });
    const again = String((await (await w.emu.runCommand(alice, 'config', [{ name: 'post-now', options: [] } as never])).final()).content);
    expect(again).toContain('already up');
    await expectExactlyOne(w);
  });
});

describe('the sidecar is dropped during reactions and the resume is refused', () => {
  let w: World;
  afterEach(() => w?.close());

  it('rebuilds every reaction made while it was away from REST', async () => {
    w = await configuredWorld();
    await w.tick();
    const { bob, carol, dan, frank } = w.emu.fixture.members;
    const tonight = w.emu.fixture.channels.tonight;
    const id = botMessages(w)[0]!.id;
    await w.emu.react(bob.id, tonight, id, '🕗');
    await w.emu.react(carol.id, tonight, id, '🕘');
    await eventually(async () => {
      await w.settle();
      expect(botMessages(w)[0]!.content).toContain('Caz');
    });
    const sessionsBefore = w.gateway.connection.sessions;
    w.emu.dropGateway({ resumable: false });
    // While the bot is away: Dan and Frank react, Bob changes his mind.
    await w.emu.react(dan.id, tonight, id, '🕙');
    await w.emu.react(frank.id, tonight, id, '🕗');
    await w.emu.unreact(bob.id, tonight, id, '🕗');
    await eventually(() => w.gateway.connection.sessions > sessionsBefore, 15_000);
    await eventually(async () => {
      await w.settle();
      const text = botMessages(w)[0]!.content;
      expect(text).toContain('Dan');
      expect(text).toContain('Frankie');
      expect(text).not.toContain('Bob');
      expect(text).toContain('Caz');
    }, 15_000);
  });
});

describe('the resume is refused and Discord answers 500 to the re-read of the reactions', () => {
  let w: World;
  afterEach(() => w?.close());

  // Found by `npm run soak` (reactions under faults): one failed re-read after a new session was only
  // logged, so the votes cast during the gap were lost until the next new session, maybe days later.
  it('tries the re-read again until it succeeds, and the votes cast while away are shown', async () => {
    w = await configuredWorld();
    await w.tick();
    const { dan, frank } = w.emu.fixture.members;
    const tonight = w.emu.fixture.channels.tonight;
    const id = botMessages(w)[0]!.id;
    await w.settle();
    const sessionsBefore = w.gateway.connection.sessions;
    const reads = () => w.emu.counters.requests['GET /channels/:id/messages/:id/reactions/:emoji'] ?? 0;
    const readsBefore = reads();
    // Enough 500s to outlast @discordjs/rest's own retries (3 attempts per read) twice over.
    w.emu.injectFault({ method: 'GET', route: '/channels/:id/messages/:id/reactions/:emoji', status: 500, count: 6 });
    w.emu.dropGateway({ resumable: false });
    await w.emu.react(dan.id, tonight, id, '🕙');
    await w.emu.react(frank.id, tonight, id, '🕗');
    await eventually(() => w.gateway.connection.sessions > sessionsBefore, 15_000);
    await eventually(async () => {
      await w.settle();
      const text = botMessages(w)[0]!.content;
      expect(text).toContain('Dan');
      expect(text).toContain('Frankie');
    }, 15_000);
    // The first re-read failed for good (6 faulted requests), a later one read every slot.
    expect(reads() - readsBefore).toBeGreaterThan(6);
  }, 30_000);
});

describe('votes cast while the database cannot be written', () => {
  let w: World;
  afterEach(() => w?.close());

  // Found by `npm run soak` (disk full): a reaction whose handler failed to store it was only logged,
  // so the vote was lost for good even after space came back.
  // SQLite's query_only plays the full disk (as tests/http/storage-full.test.ts, which runs on SQLite only).
  it.skipIf(TEST_DB !== 'sqlite')(
    'are re-read from Discord once it can be written again',
    async () => {
      w = await configuredWorld();
      await w.tick();
      const { dan } = w.emu.fixture.members;
      const tonight = w.emu.fixture.channels.tonight;
      const id = botMessages(w)[0]!.id;
      await w.settle();
      w.app.sqlite.pragma('query_only = 1');
      try {
        await w.emu.react(dan.id, tonight, id, '🕙');
        await w.settle();
      } finally {
        w.app.sqlite.pragma('query_only = 0');
      }
      expect(botMessages(w)[0]!.content).not.toContain('Dan');
      // What the heartbeat calls after its next write succeeds.
      noteStorageWritten();
      await eventually(async () => {
        await w.settle();
        expect(botMessages(w)[0]!.content).toContain('Dan');
      }, 15_000);
    },
    30_000,
  );
});
