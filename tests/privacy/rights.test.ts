import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrivacyExport } from '../../src/shared/services/privacy-export.js';
import { MODES, eventually, startWorld, type World } from '../helpers/world.js';
import { channelsOf, config, idsOf, press, privacy, rowsMentioning, userTables, type Who } from './helpers.js';

const H = 3_600_000;
/** 20:10 in New York on Monday 23 November 2026. */
const EVENING = Date.parse('2026-11-24T01:10:00Z');

/**
 * A member's rights end to end, through the emulator: Bob plays an evening with Carol, then asks
 * what rollcall holds about him, takes it out as a file, and erases it.
 */
describe.each(MODES)('/privacy show, export and erase (interactions over %s)', (mode) => {
  let w: World;
  let m: Record<Who, string>;
  let c: ReturnType<typeof channelsOf>;
  let guildId: string;
  let bobStayIds: number[] = [];
  const daily = () =>
    w.emu
      .messages(c.tonight)
      .filter((x) => x.author.id === w.emu.applicationId)
      .at(-1)!;

  beforeAll(async () => {
    w = await startWorld({ interactions: mode, now: '2026-11-23T12:00:00Z' }); // 07:00 New York
    m = idsOf(w);
    c = channelsOf(w);
    guildId = w.emu.fixture.guildId;
    await config(w, m.alice, 'channel', [{ name: 'channel', value: c.tonight }]);
    await config(w, m.alice, 'hours', [
      { name: 'first', value: 20 },
      { name: 'last', value: 23 },
    ]);
    await w.tick();
    // Bob: a time zone, a schedule, a click; Dan: a vote too (someone else's row that must stay).
    await (await w.emu.runCommand(m.bob, 'timezone', [{ name: 'set', options: [{ name: 'zone', value: 'Europe/London' }] } as never])).final();
    await w.app.schedules.set(guildId, m.bob, { weekdays: [1, 5], hours: [22] });
    await w.emu.react(m.bob, c.tonight, daily().id, '🕗');
    await w.emu.react(m.dan, c.tonight, daily().id, '🕘');
    // An older night: Bob and Dan together for 2 h (rows as the gateway would have written them).
    await w.app.db
      .insertInto('voice_stays')
      .values([
        { guild_id: guildId, channel_id: c.squadB, user_id: m.bob, started_at: EVENING - 48 * H, ended_at: EVENING - 46 * H },
        { guild_id: guildId, channel_id: c.squadB, user_id: m.dan, started_at: EVENING - 49 * H, ended_at: EVENING - 45 * H },
      ])
      .execute();
    // Tonight, live: Bob (muted) and Carol in Squad A for an hour, then Bob alone.
    w.clock.set(EVENING);
    await w.emu.joinVoice(m.bob, c.squadA, { selfMute: true });
    await w.emu.joinVoice(m.carol, c.squadA);
    await eventually(async () => {
      await w.settle();
      expect(await w.app.voice.openStays(guildId)).toHaveLength(2);
      expect(daily().content).toMatch(/Bob/);
    });
    w.clock.set(EVENING + H);
    await w.tick(); // 21:10: auto-add marks both "seen" at 21:00
    await w.emu.leaveVoice(m.carol);
    await eventually(async () => {
      await w.settle();
      expect(await w.app.voice.openStays(guildId)).toHaveLength(1);
    });
    w.clock.set(EVENING + 80 * 60_000);
    await w.emu.leaveVoice(m.bob);
    await eventually(async () => {
      await w.settle();
      expect(await w.app.voice.openStays(guildId)).toHaveLength(0);
    });
    bobStayIds = (await w.app.db.selectFrom('voice_stays').select('id').where('user_id', '=', m.bob).orderBy('started_at').orderBy('id').execute()).map((r) => r.id);
    expect(bobStayIds).toHaveLength(2);
  }, 60_000);
  afterAll(() => w.close());

  it('/privacy show says what is stored, in plain words, with counts', async () => {
    const reply = await privacy(w, m.bob, 'show');
    expect(reply.content).toContain('Voice tracking is **on**');
    expect(reply.content).toContain('Time zone: Europe/London');
    expect(reply.content).toContain('Weekly schedule: 2 weekday × hour slots');
    // 20:00 clicked, 22:00 from the schedule (Monday), 20:00 and 21:00 seen in voice.
    expect(reply.content).toContain('2 hours you declared');
    expect(reply.content).toContain('2 hours marked "seen in voice"');
    expect(reply.content).toMatch(/Voice stays: 2 \(3\.3 h in total, since <t:\d+:D>\)/);
    expect(reply.content).toContain('No message content is ever stored. History older than 365 days');
  });

  it('/privacy export is a JSON file with exactly my rows, other members only as ids in totals', async () => {
    const reply = await privacy(w, m.bob, 'export');
    expect(reply.files).toHaveLength(1);
    const file = reply.files[0]!;
    expect(file.content_type).toBe('application/json');
    const text = Buffer.from(file.bytes).toString('utf8');
    const data = JSON.parse(text) as PrivacyExport;
    expect(data.user_id).toBe(m.bob);
    expect(data.time_zone?.timezone).toBe('Europe/London');
    expect(data.voice_tracking.on).toBe(true);
    expect(data.profile?.display_name).toBe('Bob');

    // Exactly Bob's rows, table by table.
    const mine = <T>(rows: T[]) => rows;
    const votes = await w.app.db.selectFrom('availability').select(['date', 'hour']).where('user_id', '=', m.bob).orderBy('date').orderBy('hour').execute();
    expect(data.votes.map((v) => ({ date: v.date, hour: v.hour }))).toEqual(mine(votes));
    expect(data.votes.filter((v) => v.declared === 'reaction').map((v) => v.hour)).toEqual([20]);
    const schedules = await w.app.db.selectFrom('schedules').select(['weekday', 'hour']).where('user_id', '=', m.bob).orderBy('weekday').execute();
    expect(data.schedules.map((s) => ({ weekday: s.weekday, hour: s.hour }))).toEqual(schedules);
    expect(data.voice_stays.map((s) => s.id)).toEqual(bobStayIds);
    const tonight = data.voice_stays.find((s) => s.channel_id === c.squadA)!;
    expect(tonight).toMatchObject({ channel_name: 'Squad A', started_at: new Date(EVENING).toISOString(), ended_at: new Date(EVENING + 80 * 60_000).toISOString(), afk: false });
    expect(tonight.muted_or_deafened).toEqual([{ kind: 'mute', started_at: new Date(EVENING).toISOString(), ended_at: new Date(EVENING + 80 * 60_000).toISOString() }]);

    // Co-presence by id only: 1 h with Carol tonight, 2 h with Dan on the older night.
    expect(data.co_presence).toEqual([
      { member_id: m.dan, hours: 2, ms: 2 * H },
      { member_id: m.carol, hours: 1, ms: H },
    ]);
    // Nothing else of theirs: no names, no stays, their ids only in those totals.
    expect(text).not.toMatch(/Caz|Carol|Dan/);
    expect(text.split(m.carol).length - 1).toBe(1);
    expect(text.split(m.dan).length - 1).toBe(1);
  });

  it('another member’s export holds nothing of Bob beyond his id in co-presence', async () => {
    const reply = await privacy(w, m.carol, 'export');
    const text = Buffer.from(reply.files[0]!.bytes).toString('utf8');
    const data = JSON.parse(text) as PrivacyExport;
    expect(data.voice_stays).toHaveLength(1);
    expect(data.co_presence).toEqual([{ member_id: m.bob, hours: 1, ms: H }]);
    expect(text).not.toContain('Bob');
  });

  it('/privacy erase asks first; Cancel deletes nothing', async () => {
    const ask = await privacy(w, m.bob, 'erase');
    expect(ask.content).toContain('Erase everything rollcall stores about you in this server?');
    expect(ask.content).toContain('2 voice stays');
    const kept = await press(w, m.bob, ask, 'privacy-keep');
    expect(kept.content).toBe('Nothing was deleted.');
    expect(kept.components ?? []).toHaveLength(0);
    expect(Object.keys(await rowsMentioning(w, m.bob, bobStayIds))).toEqual(
      expect.arrayContaining(['availability', 'schedules', 'voice_stays', 'member_timezones', 'members', 'voice_flag_intervals']),
    );
  });

  it('erase leaves zero rows about me in every table, updates today’s message and keeps others’ rows', async () => {
    const danBefore = await rowsMentioning(w, m.dan);
    const carolBefore = await rowsMentioning(w, m.carol);
    expect(daily().content).toMatch(/Bob/);
    const ask = await privacy(w, m.bob, 'erase');
    const done = await press(w, m.bob, ask, 'privacy-erase');
    expect(done.content).toMatch(/🗑️ Erased: 3 daily-message hours, 2 schedule slots, 2 voice stays, your time zone, your cached name, roles and avatar/);
    expect(done.content).toContain('Voice tracking is still on');
    expect(done.content).toContain("I took your 1 clock reaction off today's message too.");
    expect(done.components ?? []).toHaveLength(0);
    // His 🕗 is off the message on Discord, so a later re-read cannot count him again; the removal
    // the gateway reports back writes nothing about him.
    const bobsView = w.emu.messages(c.tonight, { as: m.bob }).find((msg) => msg.id === daily().id)!;
    expect(bobsView.reactions?.find((r) => r.emoji.name === '🕗')?.me).toBe(false);
    await w.settle();

    // Every table with a user_id column, from the database's catalog: none has a row of Bob's.
    const tables = await userTables(w);
    expect(tables).toEqual(expect.arrayContaining(['availability', 'schedules', 'voice_stays', 'member_timezones', 'members', 'member_notices', 'privacy_opt_outs']));
    for (const table of tables) {
      const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)} where user_id = ${m.bob}`.execute(w.app.db);
      expect({ table, n: Number(rows[0]!.n) }).toEqual({ table, n: 0 });
    }
    // And nowhere else either: no column of any table mentions him, no flag interval of his stays is left.
    expect(await rowsMentioning(w, m.bob, bobStayIds)).toEqual({});
    // Nobody else lost anything.
    expect(await rowsMentioning(w, m.dan)).toEqual(danBefore);
    expect(await rowsMentioning(w, m.carol)).toEqual(carolBefore);

    // Today's message, edited through the coalescing editor: Bob is gone, Dan and Carol stay.
    await eventually(async () => {
      await w.settle();
      expect(daily().content).not.toMatch(/Bob/);
      expect(daily().content).toMatch(/Dan/);
      expect(daily().content).toMatch(/Caz/);
    });

    const after = await privacy(w, m.bob, 'show');
    expect(after.content).toContain('Voice stays: none');
    expect(after.content).toContain('Weekly schedule: none');
  });

  it('once erased, he is not on the inactive chart, though using a command put his name back in the cache', async () => {
    // Hours later he runs a command: it carries his member, so the cache stores his name again.
    w.clock.set(EVENING + 5 * H);
    await privacy(w, m.bob, 'show');
    await eventually(async () => expect(await rowsMentioning(w, m.bob)).toEqual({ members: 1 }));
    // Dan last played two days ago; Carol tonight. Bob, erased, is no one's "never seen".
    const inactive = await (await w.emu.runCommand(m.alice, 'stats', [{ name: 'inactive', options: [{ name: 'days', value: 1 }] } as never])).final(30_000);
    expect(inactive.content).toContain('Inactive members: not in voice for 1+ days');
    expect(inactive.content).toContain('1 of 2 member(s) inactive for 1+ days.');
  }, 40_000);
});
