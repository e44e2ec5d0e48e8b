import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../../src/shared/errors.js';
import { startWorld, type World } from '../helpers/world.js';
import { channelsOf, config, idsOf, type Who } from './helpers.js';

const DAY = 86_400_000;
/** Tuesday 24 November 2026, 07:00 in New York. */
const T1 = Date.parse('2026-11-24T12:00:00Z');

/**
 * `/config retention <days>` and the daily job: admins only, validated, shown in `/config show`;
 * the job deletes exactly the voice stays that ended, and the votes and notices of dates, older
 * than the limit, once per server-local day.
 */
describe('retention', () => {
  let w: World;
  let m: Record<Who, string>;
  let c: ReturnType<typeof channelsOf>;
  let guildId: string;

  beforeAll(async () => {
    w = await startWorld({ now: T1 - DAY });
    m = idsOf(w);
    c = channelsOf(w);
    guildId = w.emu.fixture.guildId;
    await config(w, m.alice, 'channel', [{ name: 'channel', value: c.tonight }]);
  }, 60_000);
  afterAll(() => w.close());

  /** Daily messages of past dates (votes belong to one); 'failed' so the post job leaves them alone. */
  const pastPosts = (...dates: string[]) =>
    w.app.db
      .insertInto('daily_posts')
      .values(
        dates.map((date) => ({
          guild_id: guildId,
          date,
          channel_id: c.tonight,
          nonce: `n${date}`,
          state: 'failed' as const,
          message_id: null,
          timezone: 'America/New_York',
          first_hour: 20,
          last_hour: 23,
          error: 'test',
          created_at: 0,
          posted_at: null,
        })),
      )
      .execute();

  it('defaults to 365 days and /config show says so', async () => {
    expect(await config(w, m.alice, 'show')).toContain('History kept: 365 days');
  });

  it('a member who is not an admin does not even see it (the handler check: retention-command.test.ts)', async () => {
    await expect(w.emu.runCommand(m.dan, 'config', [{ name: 'retention', options: [{ name: 'days', value: 1 }] } as never])).rejects.toThrow(/default_member_permissions/);
    expect(await w.app.retention.days(guildId)).toBe(365);
  });

  it('bad values are refused with a clear message and change nothing', async () => {
    for (const bad of [0, -5, 3651, 1.5, Number.NaN]) {
      await expect(w.app.retention.setDays(guildId, bad)).rejects.toThrow(UserError);
    }
    await expect(w.app.retention.setDays(guildId, 0)).rejects.toThrow('from 1 to 3650 (got 0). Nothing was changed.');
    expect(await w.app.retention.days(guildId)).toBe(365);
  });

  it('an admin sets it; /config show shows it', async () => {
    const reply = await config(w, m.alice, 'retention', [{ name: 'days', value: 30 }]);
    expect(reply).toContain('History is now kept for **30 days**');
    expect(reply).toContain('next daily clean-up');
    expect(await config(w, m.alice, 'show')).toContain('History kept: 30 days');
  });

  it('the daily job deletes exactly the rows older than the limit, once a day', async () => {
    w.clock.set(T1);
    const cutoff = T1 - 30 * DAY; // 2026-10-25 12:00Z; in New York the cut-off date is 2026-10-25
    const stay = (user: string, started: number, ended: number | null) => ({ guild_id: guildId, channel_id: c.squadA, user_id: user, started_at: started, ended_at: ended, afk: 0 });
    const stays = await w.app.db
      .insertInto('voice_stays')
      .values([
        stay(m.bob, cutoff - 2 * DAY, cutoff - 1), // ended just before the limit: deleted
        stay(m.carol, cutoff - 2 * DAY, cutoff), // ended exactly at it: kept
        stay(m.dan, cutoff - DAY, cutoff + DAY), // began before, ended after: kept
        { ...stay(m.erin, cutoff - 90 * DAY, null), channel_id: c.afk, afk: 1 }, // still in (AFK) voice: never deleted
      ])
      .returning('id')
      .execute();
    const [oldStay, ...keptStays] = stays.map((s) => s.id);
    await w.app.db
      .insertInto('voice_flag_intervals')
      .values([
        { stay_id: oldStay!, kind: 'mute', started_at: cutoff - 2 * DAY, ended_at: cutoff - 1 },
        { stay_id: keptStays[0]!, kind: 'deaf', started_at: cutoff - 2 * DAY, ended_at: cutoff },
      ])
      .execute();
    const vote = (user: string, date: string) => ({ guild_id: guildId, date, user_id: user, hour: 21, declared: 'reaction' as const, updated_at: 0 });
    await pastPosts('2026-09-01', '2026-10-01', '2026-10-24', '2026-10-25', '2026-11-23');
    await w.app.db
      .insertInto('availability')
      .values([vote(m.bob, '2026-10-24'), vote(m.carol, '2026-10-25'), vote(m.dan, '2026-11-23')])
      .execute();
    await w.app.db
      .insertInto('member_notices')
      .values([
        { guild_id: guildId, user_id: m.bob, reason: 'old-message', date: '2026-10-24', sent_at: 0 },
        { guild_id: guildId, user_id: m.carol, reason: 'old-message', date: '2026-10-25', sent_at: 0 },
      ])
      .execute();
    // Another guild's old rows follow that guild's own (default) retention.
    await w.app.db
      .insertInto('voice_stays')
      .values({ ...stay(m.bob, cutoff - 2 * DAY, cutoff - 1), guild_id: '999999999999999999' })
      .execute();

    await w.tick();
    const left = async () => ({
      stays: (await w.app.db.selectFrom('voice_stays').select('user_id').where('guild_id', '=', guildId).orderBy('id').execute()).map((r) => r.user_id),
      flags: (await w.app.db.selectFrom('voice_flag_intervals').select('kind').execute()).map((r) => r.kind),
      votes: (await w.app.db.selectFrom('availability').select('date').where('guild_id', '=', guildId).orderBy('date').execute()).map((r) => r.date),
      notices: (await w.app.db.selectFrom('member_notices').select('date').orderBy('date').execute()).map((r) => r.date),
    });
    expect(await left()).toEqual({ stays: [m.carol, m.dan, m.erin], flags: ['deaf'], votes: ['2026-10-25', '2026-11-23'], notices: ['2026-10-25'] });
    expect(await w.app.db.selectFrom('voice_stays').select('guild_id').where('guild_id', '=', '999999999999999999').execute()).toHaveLength(1);

    // Later the same day nothing more runs, even for rows that are now old enough.
    await w.app.db.insertInto('availability').values(vote(m.frank, '2026-10-01')).execute();
    w.clock.set(T1 + 12 * 3_600_000); // 19:00 New York
    await w.tick();
    expect((await left()).votes).toEqual(['2026-10-01', '2026-10-25', '2026-11-23']);
    // After midnight in New York it runs again, with the limit moved by a day.
    w.clock.set(T1 + 18 * 3_600_000); // 01:00 on Wednesday 25 November, New York
    await w.tick();
    expect(await left()).toEqual({ stays: [m.dan, m.erin], flags: [], votes: ['2026-11-23'], notices: [] });
  });

  it('the day is claimed in SQLite, so a restarted process does not purge twice that day', async () => {
    await w.app.db.insertInto('availability').values({ guild_id: guildId, date: '2026-09-01', user_id: m.frank, hour: 21, declared: 'out', updated_at: 0 }).execute();
    await w.restart();
    await w.tick();
    expect(await w.app.db.selectFrom('availability').select('date').where('date', '=', '2026-09-01').execute()).toHaveLength(1);
  }, 60_000);
});
