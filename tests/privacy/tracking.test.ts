import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startWorld, type World } from '../helpers/world.js';
import { channelsOf, config, idsOf, press, privacy, rowsMentioning, type Who } from './helpers.js';

const H = 3_600_000;
/** 20:10 in New York on Monday 23 November 2026. */
const EVENING = Date.parse('2026-11-24T01:10:00Z');

/**
 * `/privacy tracking off`: from that moment on Bob leaves no voice trace — no stay, no automatic
 * "seen in voice", no chart — for events arriving afterwards, across a crash and restart, until he
 * turns it back on. Carol, next to him in the same channel, is tracked as usual.
 */
describe('/privacy tracking off|on', () => {
  let w: World;
  let m: Record<Who, string>;
  let c: ReturnType<typeof channelsOf>;
  let guildId: string;
  const daily = () =>
    w.emu
      .messages(c.tonight)
      .filter((x) => x.author.id === w.emu.applicationId)
      .at(-1)!;
  const staysOf = (userId: string) => w.app.db.selectFrom('voice_stays').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  const seenOf = (userId: string) => w.app.db.selectFrom('availability').select('hour').where('user_id', '=', userId).where('seen_in_voice', '=', 1).orderBy('hour').execute();
  const duos = async () => (await (await w.emu.runCommand(m.alice, 'stats', [{ name: 'duos', options: [{ name: 'range', value: '7d' }] } as never])).final(60_000)).content;

  beforeAll(async () => {
    w = await startWorld({ now: '2026-11-23T12:00:00Z' });
    m = idsOf(w);
    c = channelsOf(w);
    guildId = w.emu.fixture.guildId;
    await config(w, m.alice, 'channel', [{ name: 'channel', value: c.tonight }]);
    await config(w, m.alice, 'hours', [
      { name: 'first', value: 20 },
      { name: 'last', value: 23 },
    ]);
    await w.tick();
    await w.emu.react(m.bob, c.tonight, daily().id, '🕙');
    // Last night Bob and Carol played 2 h together.
    await w.app.db
      .insertInto('voice_stays')
      .values([
        { guild_id: guildId, channel_id: c.squadA, user_id: m.bob, started_at: EVENING - 24 * H, ended_at: EVENING - 22 * H },
        { guild_id: guildId, channel_id: c.squadA, user_id: m.carol, started_at: EVENING - 24 * H, ended_at: EVENING - 22 * H },
      ])
      .execute();
    await eventually(async () => {
      await w.settle();
      expect(daily().content).toMatch(/Bob/);
    });
  }, 60_000);
  afterAll(() => w.close());

  it('turning it off says what it means and offers to erase past voice history; Keep deletes nothing', async () => {
    expect(await duos()).toMatch(/Closest duo: .*Bob.* with 2 h together/);
    const off = await privacy(w, m.bob, 'tracking', [{ name: 'voice', value: 'off' }]);
    expect(off.content).toContain('Voice tracking is **off** in this server');
    expect(off.content).toContain('left out of every chart, no voice greeting');
    expect(off.content).toContain('1 past voice stay (2 h)');
    const kept = await press(w, m.bob, off, 'privacy-keep');
    expect(kept.content).toBe('Nothing was deleted.');
    expect(await staysOf(m.bob)).toHaveLength(1);
    expect(await w.app.privacy.isTracked(guildId, m.bob)).toBe(false);
    expect(await w.app.privacy.isTracked(guildId, m.carol)).toBe(true);
  });

  it('charts leave him out at once, even the data loaded a moment ago', async () => {
    // Same minute as the chart drawn before he opted out: the render worker must not reuse that data.
    expect(await duos()).toMatch(/Nothing to draw yet/);
  }, 60_000);

  it('events after the opt-out write nothing about him: joins, moves, hour boundaries', async () => {
    w.clock.set(EVENING);
    await w.emu.joinVoice(m.bob, c.squadA);
    await w.emu.joinVoice(m.carol, c.squadA);
    await eventually(async () => {
      await w.settle();
      expect(await w.app.voice.openStays(guildId)).toHaveLength(1);
    });
    w.clock.set(EVENING + H);
    await w.tick(); // 21:10: the auto-add job marks who is in voice
    await w.emu.joinVoice(m.bob, c.squadB); // a move
    await w.emu.setVoiceFlags(m.bob, { selfDeaf: true });
    await w.settle();
    expect(await staysOf(m.bob)).toHaveLength(1); // only last night's
    expect(await seenOf(m.bob)).toEqual([]);
    expect(await seenOf(m.carol)).toEqual([{ hour: 20 }, { hour: 21 }]);
    expect((await w.app.voice.openStays(guildId)).map((s) => s.userId)).toEqual([m.carol]);
    await eventually(async () => {
      await w.settle();
      expect(daily().content).toMatch(/Caz/);
    });
    expect(
      daily()
        .content.split('\n')
        .filter((l) => l.includes('Bob')),
    ).toHaveLength(1); // his own 22:00 click only
  });

  it('still honoured after a crash and restart (GUILD_CREATE finds him in voice)', async () => {
    const before = await rowsMentioning(w, m.bob);
    await w.app.heartbeat.beat();
    await w.crash();
    w.clock.set(EVENING + 90 * 60_000);
    await w.restart();
    await eventually(async () => {
      await w.settle();
      expect((await w.app.voice.openStays(guildId)).map((s) => s.userId)).toEqual([m.carol]);
    });
    await w.emu.leaveVoice(m.bob);
    await w.emu.joinVoice(m.bob, c.squadA);
    await w.settle();
    expect(await staysOf(m.bob)).toHaveLength(1);
    expect(await w.app.privacy.isTracked(guildId, m.bob)).toBe(false);
    expect(await rowsMentioning(w, m.bob)).toEqual(before);
  });

  it('turning it back on records him again from his next join', async () => {
    const on = await privacy(w, m.bob, 'tracking', [{ name: 'voice', value: 'on' }]);
    expect(on.content).toContain('Voice tracking is **on** again');
    expect((await privacy(w, m.bob, 'tracking', [{ name: 'voice', value: 'on' }])).content).toContain('already on');
    w.clock.set(EVENING + 100 * 60_000);
    await w.emu.leaveVoice(m.bob);
    await w.emu.joinVoice(m.bob, c.squadB);
    await eventually(async () => {
      await w.settle();
      expect(await staysOf(m.bob)).toHaveLength(2);
      expect(await seenOf(m.bob)).toEqual([{ hour: 21 }]);
    });
  });

  it('off again ends the stay in progress, and "Erase past voice history" removes stays and seen marks only', async () => {
    w.clock.set(EVENING + 110 * 60_000);
    const off = await privacy(w, m.bob, 'tracking', [{ name: 'voice', value: 'off' }]);
    const open = (await staysOf(m.bob)).at(-1)!;
    expect(open.ended_at).toBe(EVENING + 110 * 60_000);
    const erased = await press(w, m.bob, off, 'privacy-erase-voice');
    expect(erased.content).toContain('Erased 2 voice stays and 1 "seen in voice" mark');
    expect(await staysOf(m.bob)).toHaveLength(0);
    expect(await seenOf(m.bob)).toEqual([]);
    // What he declared himself stays.
    const declared = await w.app.db.selectFrom('availability').select(['hour', 'declared']).where('user_id', '=', m.bob).execute();
    expect(declared).toEqual([{ hour: 22, declared: 'reaction' }]);
  });

  it('/privacy erase while opted out keeps exactly one row: the opt-out, also after a restart', async () => {
    // His 🕙 comes off the message first: erase does not remove reactions on Discord, and a fresh
    // session re-reads today's reactions (a separate matter from the member cache checked below).
    await w.emu.unreact(m.bob, c.tonight, daily().id, '🕙');
    await w.settle();
    const ask = await privacy(w, m.bob, 'erase');
    const done = await press(w, m.bob, ask, 'privacy-erase');
    expect(done.content).toContain('I kept exactly one row: your voice-tracking opt-out');
    expect(await rowsMentioning(w, m.bob)).toEqual({ privacy_opt_outs: 1 });
    // He is still in voice on Discord: a restart's GUILD_CREATE carries his voice state and member,
    // and must not bring his name (a `members` row) back.
    await w.app.heartbeat.beat();
    await w.crash();
    await w.restart();
    await eventually(async () => {
      await w.settle();
      expect((await w.app.voice.openStays(guildId)).map((s) => s.userId)).toEqual([m.carol]);
    });
    expect(await rowsMentioning(w, m.bob)).toEqual({ privacy_opt_outs: 1 });
    const show = await privacy(w, m.bob, 'show');
    expect(show.content).toContain('Voice tracking is **off** since');
  });
});
