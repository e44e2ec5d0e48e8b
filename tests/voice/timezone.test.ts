import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandOptionInput } from '../../src/sandbox/index.js';
import { MODES, eventually, startWorld, type World } from '../helpers/world.js';

/**
 * `/timezone` as members use it, against the emulator. The clock stands on Sunday 8 March 2026,
 * 07:30 UTC: half an hour after New York sprang forward (02:00 EST became 03:00 EDT), while London
 * is still on GMT and Kolkata never changes.
 */
describe.each(MODES)('/timezone (interactions over %s)', (mode) => {
  let w: World;
  let m: Record<'alice' | 'bob' | 'carol' | 'dan' | 'erin' | 'frank' | 'beep', string>;
  let squadA: string, squadB: string;

  const run = async (who: string, sub: string, options: CommandOptionInput[] = []) => {
    const r = await w.emu.runCommand(who, 'timezone', [{ name: sub, options }]);
    return String((await r.final()).content);
  };

  beforeAll(async () => {
    w = await startWorld({ interactions: mode, now: '2026-03-08T07:30:00Z' });
    m = Object.fromEntries(Object.entries(w.emu.fixture.members).map(([k, v]) => [k, v.id])) as typeof m;
    ({ squadA, squadB } = w.emu.fixture.channels as Record<'squadA' | 'squadB', string>);
  });
  afterAll(() => w.close());

  it('says so plainly when the caller is not in voice', async () => {
    expect(await run(m.alice, 'voice')).toBe("You're not in a voice channel. Join one and run `/timezone voice` again to see everyone's local time.");
  });

  it('shows the server zone until a member sets one, then theirs', async () => {
    expect(await run(m.dan, 'show')).toBe("Your time zone is not set, so the server's **America/New_York** is used — it's 03:30 (Sun, UTC-4) there. Set yours with `/timezone set`.");
    expect(await run(m.bob, 'set', [{ name: 'zone', value: 'europe/london' }])).toBe("✅ Your time zone is now **Europe/London** — it's 07:30 (Sun, UTC+0) there.");
    expect(await run(m.alice, 'show', [{ name: 'member', value: m.bob }])).toBe('<@' + m.bob + ">'s time zone is **Europe/London** — it's 07:30 (Sun, UTC+0) there.");
  });

  it('autocompletes zones', async () => {
    const choices = await w.emu.autocomplete(m.carol, 'timezone', [{ name: 'set', options: [{ name: 'zone', value: 'kolk', focused: true }] }]);
    expect(choices.map((c) => c.value)).toContain('Asia/Kolkata');
  });

  it('refuses unknown zones, other members for non-admins, and bots — storing nothing', async () => {
    expect(await run(m.carol, 'set', [{ name: 'zone', value: 'Mars/Olympus' }])).toBe('`Mars/Olympus` is not a time zone I know. Pick one from the list, e.g. Europe/Paris or America/Chicago.');
    expect(await run(m.carol, 'set', [{ name: 'zone', value: 'EST+5' }])).toContain('is not a time zone I know');
    expect(
      await run(m.dan, 'set', [
        { name: 'zone', value: 'Asia/Tokyo' },
        { name: 'member', value: m.carol },
      ]),
    ).toBe("⛔ Only server admins (Manage Server) can set someone else's time zone. Run `/timezone set` without `member` for your own.");
    expect(
      await run(m.alice, 'set', [
        { name: 'zone', value: 'Asia/Tokyo' },
        { name: 'member', value: m.beep },
      ]),
    ).toBe(`<@${m.beep}> is a bot; bots don't have a time zone.`);
    const rows = await w.app.db.selectFrom('member_timezones').select(['user_id', 'timezone']).execute();
    expect(rows).toEqual([{ user_id: m.bob, timezone: 'Europe/London' }]);
  });

  it("lets an admin set someone else's zone", async () => {
    expect(
      await run(m.alice, 'set', [
        { name: 'zone', value: 'Asia/Kolkata' },
        { name: 'member', value: m.carol },
      ]),
    ).toBe(`✅ <@${m.carol}>'s time zone is now **Asia/Kolkata** — it's 13:00 (Sun, UTC+5:30) there.`);
  });

  it('gives everyone in the caller’s channel their local time, grouped by zone, on a DST change day', async () => {
    expect(await run(m.alice, 'set', [{ name: 'zone', value: 'America/New_York' }])).toContain('03:30 (Sun, UTC-4)');
    for (const who of [m.alice, m.bob, m.carol, m.dan]) await w.emu.joinVoice(who, squadA);
    await w.emu.joinVoice(m.frank, squadB); // another channel: not listed
    await eventually(async () => {
      await w.settle();
      expect(await w.app.voice.inChannel(w.emu.fixture.guildId, squadA)).toHaveLength(4);
    });
    // Dan has no zone: the server's (America/New_York) stands in.
    expect(await run(m.bob, 'voice')).toBe(
      [
        `🕒 Local time for everyone in <#${squadA}>:`,
        `**03:30** Sun · America/New_York (UTC-4): <@${m.alice}>, <@${m.dan}>`,
        `**07:30** Sun · Europe/London (UTC+0): <@${m.bob}>`,
        `**13:00** Sun · Asia/Kolkata (UTC+5:30): <@${m.carol}>`,
      ].join('\n'),
    );
  });

  it('answers only the asker unless they share it: share:True posts the same lines in the channel', async () => {
    const ask = async (options: CommandOptionInput[]) => (await w.emu.runCommand(m.bob, 'timezone', [{ name: 'voice', options }])).final();
    const mine = await ask([]);
    expect(mine.ephemeral_for).toBe(m.bob);
    const shared = await ask([{ name: 'share', value: true }]);
    expect(shared.ephemeral_for).toBeNull();
    expect(shared.content).toBe(mine.content);
    // Not in voice: nothing to share, so it stays private whatever `share` says.
    const away = await (await w.emu.runCommand(m.erin, 'timezone', [{ name: 'voice', options: [{ name: 'share', value: true }] }])).final();
    expect(away.ephemeral_for).toBe(m.erin);
  });
});
