import { afterEach, describe, expect, it } from 'vitest';
import { MAX_AUTO_REPLACEMENTS } from '../../src/shared/services/daily-post.js';
import { botMessages, eventually, startConfiguredWorld, type World } from '../helpers/world.js';

const POST_TIME = '2026-11-23T12:00:00Z'; // 07:00 in New York
const CLOCKS = ['🕗', '🕘', '🕙', '🕚'];

/** The live daily messages in #tonight, with their clock reactions (ours included). */
const live = (w: World) => botMessages(w).filter((m) => !m.ephemeral_for);
const clocksOn = (w: World, id: string) => (w.emu.message(w.emu.fixture.channels.tonight, id)?.reactions ?? []).filter((r) => r.me).map((r) => r.emoji.name);
const run = async (w: World, user: string, name: string, options: unknown[]) => (await w.emu.runCommand(user, name, options as never)).final();

/** Posts today's message with Bob at 20:00 and Caz at 21:00. */
async function withVotes(): Promise<{ w: World; id: string }> {
  const w = await startConfiguredWorld(POST_TIME);
  await w.tick();
  const { bob, carol } = w.emu.fixture.members;
  const tonight = w.emu.fixture.channels.tonight;
  const id = live(w)[0]!.id;
  await w.emu.react(bob.id, tonight, id, '🕗');
  await w.emu.react(carol.id, tonight, id, '🕘');
  await eventually(async () => {
    await w.settle();
    expect(live(w)[0]!.content).toContain('Caz');
  });
  return { w, id };
}

describe('a deleted daily message', () => {
  let w: World;
  afterEach(() => w?.close());

  it('is posted again when the next edit meets 10008: one message, every clock, the votes kept and the way to withdraw one explained', async () => {
    let id: string;
    ({ w, id } = await withVotes());
    const tonight = w.emu.fixture.channels.tonight;
    await w.emu.deleteMessage(tonight, id);
    // The bot has no messages intent: it learns of the deletion at its next edit.
    await w.emu.react(w.emu.fixture.members.dan.id, tonight, id, '🕙').catch(() => undefined);
    await w.app.availability.markSeen(w.emu.fixture.guildId, w.emu.fixture.members.dan.id, Date.parse('2026-11-24T01:10:00Z'));
    await eventually(async () => {
      await w.settle();
      expect(live(w)).toHaveLength(1);
      expect(live(w)[0]!.id).not.toBe(id);
      expect(clocksOn(w, live(w)[0]!.id)).toEqual(CLOCKS);
    });
    const text = live(w)[0]!.content;
    expect(text).toContain('Bob');
    expect(text).toContain('Caz');
    expect(text).toContain('Dan'); // seen in voice at 20:10 New York time
    expect(text).toMatch(/Votes cast before <t:\d+:t> are kept, but their reactions are gone/);
    const row = await w.app.db.selectFrom('daily_posts').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'reacted', message_id: live(w)[0]!.id, replacements: 1 });
    expect(await w.app.postView.statusLine(w.emu.fixture.guildId)).toContain(live(w)[0]!.id);
  });

  it('/config post-now finds it deleted, posts a replacement and says so; the votes are kept', async () => {
    let id: string;
    ({ w, id } = await withVotes());
    const tonight = w.emu.fixture.channels.tonight;
    await w.emu.deleteMessage(tonight, id);
    const answer = await run(w, w.emu.fixture.members.alice.id, 'config', [{ name: 'post-now', options: [] }]);
    expect(answer.content).toMatch(/was deleted, so I posted a new one: https:\/\/discord.com\/channels\/.+ — the votes are kept/);
    await w.settle();
    expect(live(w)).toHaveLength(1);
    expect(live(w)[0]!.content).toContain('Bob');
    expect(clocksOn(w, live(w)[0]!.id)).toEqual(CLOCKS);
    // Asked again: nothing more to do.
    const again = await run(w, w.emu.fixture.members.alice.id, 'config', [{ name: 'post-now', options: [] }]);
    expect(again.content).toContain('already up');
    expect(live(w)).toHaveLength(1);
  });

  it('/config post-now while the bot is already replacing it (its new message on the way) says it was deleted too, and one message is posted', async () => {
    let id: string;
    ({ w, id } = await withVotes());
    const tonight = w.emu.fixture.channels.tonight;
    await w.emu.deleteMessage(tonight, id);
    // The bot learned of the deletion at an edit and is posting the replacement; Discord holds the create.
    const creates = () => w.emu.counters.requests['POST /channels/:id/messages'] ?? 0;
    const before = creates();
    const release = w.emu.injectFault({ method: 'POST', route: '/channels/:id/messages', hold: true });
    const replacing = w.app.postRepair.messageGone(id);
    await eventually(() => creates() === before + 1);
    // The command waits for the same replacement: the bot defers its answer, then the create lands.
    const command = await w.emu.runCommand(w.emu.fixture.members.alice.id, 'config', [{ name: 'post-now', options: [] }] as never);
    release();
    await replacing;
    expect((await command.final()).content).toMatch(/was deleted, so I posted a new one: https:\/\/discord.com\/channels\/.+ — the votes are kept/);
    await w.settle();
    expect(live(w)).toHaveLength(1);
    expect(live(w)[0]!.content).toContain('Caz');
  });

  it(`is replaced ${MAX_AUTO_REPLACEMENTS} times a day without being asked, then waits for /config post-now (a moderation bot cannot make it loop)`, async () => {
    ({ w } = await withVotes());
    const tonight = w.emu.fixture.channels.tonight;
    for (let i = 0; i <= MAX_AUTO_REPLACEMENTS; i++) {
      const current = live(w)[0]!.id;
      await w.emu.deleteMessage(tonight, current);
      await w.app.postRepair.messageGone(current);
      await w.settle();
    }
    expect(live(w)).toHaveLength(0);
    const show = await run(w, w.emu.fixture.members.alice.id, 'config', [{ name: 'show', options: [] }]);
    expect(show.content).toContain('deleted in <#');
    expect(show.content).toContain('`/config post-now` posts a new one');
    const answer = await run(w, w.emu.fixture.members.alice.id, 'config', [{ name: 'post-now', options: [] }]);
    expect(answer.content).toContain('posted a new one');
    await w.settle();
    expect(live(w)).toHaveLength(1);
    expect(live(w)[0]!.content).toContain('Caz');
  });
});

describe('reactions removed by a moderator', () => {
  let w: World;
  afterEach(() => w?.close());

  it('remove-all: the clocks come back, the votes stay, a reconnect does not read the missing reactions as un-clicks, and click-click withdraws', async () => {
    let id: string;
    ({ w, id } = await withVotes());
    const tonight = w.emu.fixture.channels.tonight;
    const { bob } = w.emu.fixture.members;
    await w.emu.clearReactions(tonight, id);
    await eventually(async () => {
      await w.settle();
      expect(clocksOn(w, id)).toEqual(CLOCKS);
      expect(live(w)[0]!.content).toMatch(/Votes cast before <t:\d+:t> are kept/);
    });
    expect(live(w)[0]!.content).toContain('Bob');
    expect(live(w)[0]!.content).toContain('Caz');

    const sessions = w.gateway.connection.sessions;
    w.emu.dropGateway({ resumable: false });
    await eventually(() => w.gateway.connection.sessions > sessions, 15_000);
    await w.settle();
    expect(live(w)[0]!.content).toContain('Bob');
    expect(live(w)[0]!.content).toContain('Caz');

    w.clock.advance(1_000);
    await w.emu.react(bob.id, tonight, id, '🕗');
    await w.settle();
    await w.emu.unreact(bob.id, tonight, id, '🕗');
    await eventually(async () => {
      await w.settle();
      expect(live(w)[0]!.content).not.toContain('Bob');
    });
    expect(live(w)[0]!.content).toContain('Caz');
  });

  it('remove-emoji: that clock comes back, the votes stay', async () => {
    let id: string;
    ({ w, id } = await withVotes());
    const tonight = w.emu.fixture.channels.tonight;
    await w.emu.clearReactions(tonight, id, '🕘');
    await eventually(async () => {
      await w.settle();
      expect(clocksOn(w, id)).toEqual(['🕗', '🕙', '🕚', '🕘']);
    });
    expect(live(w)[0]!.content).toContain('Caz');
  });

  it('/config post-now puts back clocks removed while the bot was away', async () => {
    let id: string;
    ({ w, id } = await withVotes());
    const tonight = w.emu.fixture.channels.tonight;
    await w.stopBot();
    await w.emu.clearReactions(tonight, id, '🕚');
    await w.restart();
    const answer = await run(w, w.emu.fixture.members.alice.id, 'config', [{ name: 'post-now', options: [] }]);
    expect(answer.content).toContain('put back 1 missing clock reaction');
    expect(clocksOn(w, id)).toContain('🕚');
  });
});
