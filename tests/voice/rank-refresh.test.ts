import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/sandbox/wire.js';
import { slotsFor } from '../../src/shared/time/slots.js';
import { eventually, startWorld, type World } from '../helpers/world.js';
import { memberFetches } from './rest-counts.js';

/**
 * A promotion shows on the daily message within the hour. The bot has no members intent, so
 * Discord tells it nothing when a moderator gives someone a role (the emulator sends
 * GUILD_MEMBER_UPDATE only to bots with that intent): the members on today's message are fetched
 * again when it is posted and at each hour, through the guild's `member` rate bucket.
 */
describe('rank emoji follow promotions', () => {
  let w: World;
  let m: Record<'alice' | 'carol' | 'dan' | 'frank', string>;
  let roles: Record<'member' | 'veteran' | 'moderator', string>;
  let tonight: string;
  const config = async (sub: string, options: unknown[] = []) => String((await (await w.emu.runCommand(m.alice, 'config', [{ name: sub, options } as never])).final()).content);
  const daily = () =>
    w.emu
      .messages(tonight)
      .filter((x) => x.author.id === w.emu.applicationId)
      .at(-1)!;
  const line = (date: string, hour: number) =>
    daily()
      .content.split('\n')
      .find((l) => l.includes(`<t:${slotsFor(date, 'America/New_York', 20, 22).find((s) => s.hour === hour)!.unix}:t>`))!;
  const memberGets = () => w.emu.events.filter((e): e is Extract<WireEvent, { kind: 'rest' }> => e.kind === 'rest' && e.method === 'GET' && /\/guilds\/\d+\/members\/\d+$/.test(e.path));
  const tickAt = async (iso: string) => {
    w.clock.set(Date.parse(iso));
    await w.app.scheduler.tick();
    await w.app.rankRefresh.idle();
    await w.settle();
  };

  beforeAll(async () => {
    w = await startWorld({ now: '2026-11-23T11:00:00Z' }); // Monday, 06:00 in New York
    m = Object.fromEntries(Object.entries(w.emu.fixture.members).map(([k, v]) => [k, v.id])) as typeof m;
    roles = w.emu.fixture.roles as typeof roles;
    tonight = w.emu.fixture.channels.tonight!;
    await config('channel', [{ name: 'channel', value: tonight }]);
    await config('hours', [
      { name: 'first', value: 20 },
      { name: 'last', value: 22 },
    ]);
    await config('rank', [
      { name: 'role', value: roles.member },
      { name: 'emoji', value: '🙂' },
    ]);
    await config('rank', [
      { name: 'role', value: roles.veteran },
      { name: 'emoji', value: '🎖️' },
    ]);
  }, 30_000);
  afterAll(() => w.close());

  it('refetches the members on the message at the next hour, within the rate budget, and re-renders it with the new rank', async () => {
    await tickAt('2026-11-23T12:00:00Z'); // 07:00: posted
    const id = daily().id;
    await w.emu.react(m.dan, tonight, id, '🕗');
    await eventually(async () => {
      await w.settle();
      expect(line('2026-11-23', 20)).toMatch(/\*\*1\*\*: 🙂 Dan$/);
    });
    // A moderator makes Dan a veteran: nothing reaches the bot.
    await w.emu.updateMember(m.dan, { roles: [roles.member, roles.veteran] });
    const before = memberFetches(w);
    await tickAt('2026-11-23T12:40:00Z'); // same hour: nothing fetched
    expect(memberFetches(w)).toBe(before);
    expect(line('2026-11-23', 20)).toMatch(/🙂 Dan$/);

    await tickAt('2026-11-23T13:00:30Z'); // 08:00 in New York: the hourly refresh
    expect(memberFetches(w) - before).toBe(1);
    await eventually(async () => {
      await w.settle();
      expect(line('2026-11-23', 20)).toMatch(/\*\*1\*\*: 🎖️ Dan$/);
    });
    // The fetch took a token of the guild's member bucket (shared through SQLite by both processes).
    const bucket = await w.app.db.selectFrom('rate_buckets').select('bucket').where('bucket', '=', `member:${w.emu.fixture.guildId}`).executeTakeFirst();
    expect(bucket).toBeDefined();
    await tickAt('2026-11-23T13:30:00Z'); // once per hour
    expect(memberFetches(w) - before).toBe(1);
  }, 60_000);

  it('spaces the fetches by the bucket (one a second per guild) and skips members a payload refreshed in the last 10 minutes', async () => {
    const id = daily().id;
    for (const who of [m.alice, m.carol, m.frank]) await w.emu.react(who, tonight, id, '🕘'); // payloads at 13:30
    await eventually(async () => {
      await w.settle();
      expect(line('2026-11-23', 21)).toMatch(/\*\*3\*\*: 🙂 Al, 🎖️ Caz, 🎖️ Frankie$/);
    });
    for (const who of [m.alice, m.carol, m.frank]) await w.emu.updateMember(who, { roles: [roles.moderator] });
    const from = memberGets().length;
    await tickAt('2026-11-23T13:59:00Z');
    expect(memberGets().length).toBe(from); // same hour
    await tickAt('2026-11-23T14:05:00Z'); // Alice, Carol, Frank seen 35 minutes ago, Dan 5 minutes after his fetch: all four
    const gets = memberGets().slice(from);
    expect(gets).toHaveLength(4);
    const times = gets.map((e) => e.at);
    // The bucket hands out one token a second; what the emulator sees is each token's request on
    // arrival, which also carries that request's own way there (a take, a queue, a socket: up to a
    // few hundred ms apart on a loaded machine: 863 ms was seen in CI). Unspaced, all four would go at once.
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(700);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(2_700);
    await eventually(async () => {
      await w.settle();
      // Moderator has no rank emoji: the three lost theirs.
      expect(line('2026-11-23', 21)).toMatch(/\*\*3\*\*: Al, Caz, Frankie$/);
    });
    // Carol is made a veteran again and clicks at 15:01: her reaction carried the new roles, so the
    // 15:00 refresh (ticking at 15:05) leaves her out and fetches the other three.
    await w.emu.updateMember(m.carol, { roles: [roles.veteran] });
    w.clock.set(Date.parse('2026-11-23T15:01:00Z'));
    await w.emu.react(m.carol, tonight, id, '🕙');
    await eventually(async () => {
      await w.settle();
      expect(line('2026-11-23', 22)).toMatch(/\*\*1\*\*: 🎖️ Caz$/);
    });
    const next = memberGets().length;
    await tickAt('2026-11-23T15:05:00Z');
    expect(
      memberGets()
        .slice(next)
        .map((e) => e.path.split('/').at(-1))
        .sort(),
    ).toEqual([m.alice, m.dan, m.frank].sort());
  }, 60_000);

  it('fetches the members the post itself puts on the message (schedules) when it is posted', async () => {
    // Dan plays on Tuesdays at 20:00; overnight he lost the veteran role.
    await w.app.db.insertInto('schedules').values({ guild_id: w.emu.fixture.guildId, user_id: m.dan, weekday: 2, hour: 20, created_at: 0 }).execute();
    await w.emu.updateMember(m.dan, { roles: [roles.member] });
    const before = memberFetches(w);
    await tickAt('2026-11-24T12:00:00Z'); // Tuesday 07:00: posted, and Dan refreshed in the same tick
    expect(memberFetches(w) - before).toBe(1);
    await eventually(async () => {
      await w.settle();
      expect(line('2026-11-24', 20)).toMatch(/🙂 Dan/);
      expect(line('2026-11-24', 20)).not.toMatch(/🎖️ Dan/);
    });
  }, 60_000);
});
