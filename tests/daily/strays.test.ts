import { afterEach, describe, expect, it } from 'vitest';
import { botMessages, eventually, startConfiguredWorld, type World } from '../helpers/world.js';

const POST_TIME = '2026-11-23T12:00:00Z'; // 07:00 in New York

const configuredWorld = () => startConfiguredWorld(POST_TIME);
const dms = (w: World, userId: string) => {
  const channel = w.emu.world.dmChannelByUser.get(userId);
  return channel ? w.emu.messages(channel) : [];
};
const patches = (w: World) => w.emu.events.filter((e) => e.kind === 'rest' && e.method === 'PATCH').length;

describe('reactions by other bots', () => {
  let w: World;
  afterEach(() => w?.close());

  it('a bot taking its reaction back (REMOVE carries no member) changes nothing: no row, no edit — from the cache, or from REST', async () => {
    w = await configuredWorld();
    await w.tick();
    const tonight = w.emu.fixture.channels.tonight;
    const beep = w.emu.fixture.members.beep.id;
    const id = botMessages(w)[0]!.id;
    await w.emu.react(beep, tonight, id, '🕗');
    await w.emu.react(beep, tonight, id, '🕘');
    await w.settle();
    const before = patches(w);
    const text = botMessages(w)[0]!.content;

    await w.emu.unreact(beep, tonight, id, '🕗'); // known as a bot from its ADD's member
    await w.settle();
    await w.restart();
    await w.app.db.deleteFrom('members').where('user_id', '=', beep).execute(); // and now known to nobody
    await w.emu.unreact(beep, tonight, id, '🕘'); // asked over REST
    await w.settle();

    expect(await w.app.db.selectFrom('availability').selectAll().where('user_id', '=', beep).execute()).toEqual([]);
    expect(patches(w)).toBe(before);
    expect(botMessages(w)[0]!.content).toBe(text);
  });
});

describe('reactions made while the sidecar was away that it would have taken off', () => {
  let w: World;
  afterEach(() => w?.close());

  it('after a refused resume: foreign emoji on today’s message are removed, each member told once; votes, reactions on older messages (a vote cast while it was today’s looks the same) and bots are left alone', async () => {
    w = await configuredWorld();
    const tonight = w.emu.fixture.channels.tonight;
    const { bob, carol, dan, frank, beep } = w.emu.fixture.members;
    await w.tick();
    const yesterday = botMessages(w)[0]!.id;
    await w.emu.react(bob.id, tonight, yesterday, '🕗'); // a vote while it was today's
    await eventually(async () => {
      await w.settle();
      expect(botMessages(w)[0]!.content).toContain('Bob');
    });
    w.clock.set(Date.parse('2026-11-24T12:00:00Z'));
    await w.tick();
    const today = botMessages(w).at(-1)!.id;
    expect(today).not.toBe(yesterday);

    const sessionsBefore = w.gateway.connection.sessions;
    w.emu.dropGateway({ resumable: false });
    // While the bot is away:
    await w.emu.react(dan.id, tonight, today, '👍'); // foreign emoji on today's
    await w.emu.react(dan.id, tonight, today, '🎉'); // another one: still one DM
    await w.emu.react(frank.id, tonight, yesterday, '🕙'); // on yesterday's: late, or cast before the post? Unknowable.
    await w.emu.react(carol.id, tonight, today, '🕘'); // a real vote
    await w.emu.react(beep.id, tonight, today, '👀'); // another bot: not ours to police
    await eventually(() => w.gateway.connection.sessions > sessionsBefore, 15_000);

    await eventually(async () => {
      await w.settle();
      const reactions = w.emu.message(tonight, today)!.reactions ?? [];
      expect(reactions.find((r) => r.emoji.name === '👍')).toBeUndefined();
      expect(reactions.find((r) => r.emoji.name === '🎉')).toBeUndefined();
      expect(w.emu.message(tonight, today)!.content).toContain('Caz');
    }, 15_000);
    // Left alone: Bob's vote of yesterday, Frank's reaction there, Carol's vote of today, the other bot's emoji.
    expect(w.emu.message(tonight, yesterday)!.reactions?.find((r) => r.emoji.name === '🕙')?.count).toBe(2);
    expect(w.emu.message(tonight, yesterday)!.reactions?.find((r) => r.emoji.name === '🕗')?.count).toBe(2);
    expect(w.emu.message(tonight, today)!.reactions?.find((r) => r.emoji.name === '🕘')?.count).toBe(2);
    expect(w.emu.message(tonight, today)!.reactions?.find((r) => r.emoji.name === '👀')?.count).toBe(1);
    expect(w.emu.message(tonight, yesterday)!.content).toContain('Bob');

    expect(dms(w, dan.id).map((m) => m.content)).toEqual([expect.stringContaining('Only the clock reactions count')]);
    expect(dms(w, frank.id)).toEqual([]);
    expect(dms(w, bob.id)).toEqual([]);
    expect(dms(w, carol.id)).toEqual([]);
    expect(w.emu.message(tonight, today)!.content).not.toContain('Frankie');
  });
});
