import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCommands } from '../../src/cli/registration.js';
import { commands } from '../../src/interactions/commands/index.js';
import { MODES, startWorld, type World } from '../helpers/world.js';
import { inspectPng } from './png.js';

const T0 = Date.parse('2026-11-24T21:00:00Z');
const H = 3_600_000;

describe.each(MODES)('/stats in Discord (emulator, real HTTP or gateway, interactions over %s)', (mode) => {
  let w: World;
  let m: Record<string, string>;

  beforeAll(async () => {
    w = await startWorld({ interactions: mode, now: T0 });
    m = Object.fromEntries(Object.entries(w.emu.fixture.members).map(([k, v]) => [k, v.id]));
    const c = w.emu.fixture.channels as Record<string, string>;
    const guildId = w.emu.fixture.guildId;
    // Last night: Alice and Bob together for 2 h in Squad A, Dan on his own in Squad B.
    await w.app.db
      .insertInto('voice_stays')
      .values([
        { guild_id: guildId, channel_id: c.squadA!, user_id: m.alice!, started_at: T0 - 26 * H, ended_at: T0 - 23 * H },
        { guild_id: guildId, channel_id: c.squadA!, user_id: m.bob!, started_at: T0 - 25 * H, ended_at: T0 - 23 * H },
        { guild_id: guildId, channel_id: c.squadB!, user_id: m.dan!, started_at: T0 - 25 * H, ended_at: T0 - 24 * H },
        // And Dan alone for 2 h three weeks ago.
        { guild_id: guildId, channel_id: c.squadB!, user_id: m.dan!, started_at: T0 - 21 * 24 * H, ended_at: T0 - 21 * 24 * H + 2 * H },
      ])
      .execute();
    // Dan said he would come at 20:00 (New York) on Monday's message.
    await w.app.db
      .insertInto('daily_posts')
      .values({ guild_id: guildId, date: '2026-11-23', channel_id: c.tonight!, nonce: 'n', state: 'posted', timezone: 'America/New_York', first_hour: 20, last_hour: 23, created_at: 0 })
      .execute();
    await w.app.db.insertInto('availability').values({ guild_id: guildId, date: '2026-11-23', user_id: m.dan!, hour: 20, declared: 'reaction', updated_at: 0 }).execute();
  }, 30_000);
  afterAll(() => w.close());

  it('answers with a deferral, then edits @original with the chart as a PNG attachment (multipart)', async () => {
    const r = await w.emu.runCommand(m.alice!, 'stats', [{ name: 'duos', options: [{ name: 'range', value: '7d' }] }]);
    // Attachments cannot ride on the first response: Discord gets "thinking…", privately.
    expect(r.error).toBeNull();
    expect(r.response).toEqual({ type: 5, data: { flags: 64 } });
    const message = await r.final(30_000);
    expect(message.content).toContain('Top duos');
    expect(message.content).toMatch(/2 h together/);
    expect(message.files).toHaveLength(1);
    const [file] = message.files;
    expect(file!.filename).toBe('rollcall-duos.png');
    expect(file!.content_type).toBe('image/png');
    const png = inspectPng(file!.bytes);
    expect(png.width).toBeGreaterThan(400);
    expect(png.variance).toBeGreaterThan(100);
  }, 40_000);

  it('refuses a chart about everyone to a member who is not an admin', async () => {
    const r = await w.emu.runCommand(m.dan!, 'stats', [{ name: 'total', options: [] }]);
    const message = await r.final(10_000);
    expect(message.content).toMatch(/Charts about everyone are for server admins/);
    expect(message.files).toHaveLength(0);
  }, 20_000);

  it("never shows a member's week to anyone else, admins included: /stats timeline has no member option", async () => {
    const stats = w.emu.commands(w.emu.fixture.guildId).find((c) => c.name === 'stats') as { options: { name: string; options?: { name: string }[] }[] };
    const optionsOf = (sub: string) => (stats.options.find((o) => o.name === sub)!.options ?? []).map((o) => o.name);
    expect(optionsOf('timeline')).not.toContain('member');
    expect(optionsOf('reliability')).toContain('member'); // aggregated percentages: admins may
    // A Discord client still showing the command list from before (until it refreshes) can send one.
    const current = commands.map((c) => c.definition);
    const older = current.map((d) =>
      d.name !== 'stats'
        ? d
        : {
            ...d,
            options: d.options!.map((o) =>
              o.name === 'timeline' ? { ...o, options: [...((o as { options?: unknown[] }).options ?? []), { type: 6, name: 'member', description: 'Whose chart' }] } : o,
            ),
          },
    ) as typeof current;
    await registerCommands(w.app.discord, older, w.emu.fixture.guildId, () => {});
    try {
      for (const asker of [m.alice!, m.dan!]) {
        const other = asker === m.alice ? m.dan! : m.alice!;
        const r = await w.emu.runCommand(asker, 'stats', [{ name: 'timeline', options: [{ name: 'member', value: other }] }]);
        const message = await r.final(30_000);
        expect(message.content).toBe("🔒 A member's week in voice is theirs to share: only they can draw it, with `/stats me`. `/stats timeline` shows your own week.");
        expect(message.ephemeral_for).toBe(asker);
        expect(message.files).toHaveLength(0);
      }
      // Naming yourself is your own week.
      const own = await (await w.emu.runCommand(m.dan!, 'stats', [{ name: 'timeline', options: [{ name: 'member', value: m.dan! }] }])).final(30_000);
      expect(own.content).toMatch(/Dan.*week in voice/);
    } finally {
      await registerCommands(w.app.discord, current, w.emu.fixture.guildId, () => {});
    }
  }, 60_000);

  it("lets an admin see another member's said vs showed (percentages), but not a member another's", async () => {
    const byAdmin = await (await w.emu.runCommand(m.alice!, 'stats', [{ name: 'reliability', options: [{ name: 'member', value: m.dan! }] }])).final(30_000);
    expect(byAdmin.content).toContain('Dan: 1 h declared, 0 h shown in voice — 0% reliability.');
    expect(byAdmin.files[0]?.content_type).toBe('image/png');
    const byMember = await (await w.emu.runCommand(m.dan!, 'stats', [{ name: 'reliability', options: [{ name: 'member', value: m.alice! }] }])).final(10_000);
    expect(byMember.content).toMatch(/for server admins/);
    expect(byMember.files).toHaveLength(0);
  }, 60_000);

  it('lets any member see their own week with /stats me', async () => {
    const r = await w.emu.runCommand(m.dan!, 'stats', [{ name: 'me', options: [] }]);
    const message = await r.final(30_000);
    expect(message.content).toMatch(/week in voice/);
    expect(message.files[0]?.content_type).toBe('image/png');
    expect(inspectPng(message.files[0]!.bytes).variance).toBeGreaterThan(100);
  }, 40_000);

  it('honours range on the timeline: 7 days by default, a longer period overlays its weeks', async () => {
    const week = await (await w.emu.runCommand(m.dan!, 'stats', [{ name: 'me', options: [] }])).final(30_000);
    expect(week.content).toContain("Dan's week in voice");
    expect(week.content).toContain('Dan: 1 h in voice over the last 7 days (AFK excluded).');
    const month = await (await w.emu.runCommand(m.dan!, 'stats', [{ name: 'me', options: [{ name: 'range', value: '30d' }] }])).final(30_000);
    expect(month.content).toContain("Dan's weeks in voice");
    expect(month.content).toContain('Dan: 3 h in voice over the last 30 days (AFK excluded).');
    expect(month.files[0]?.content_type).toBe('image/png');
    const viaTimeline = await (await w.emu.runCommand(m.dan!, 'stats', [{ name: 'timeline', options: [{ name: 'range', value: '90d' }] }])).final(30_000);
    expect(viaTimeline.content).toContain('Dan: 3 h in voice over the last 90 days (AFK excluded).');
    // Said vs showed keeps its own default, 30 days.
    const said = await (await w.emu.runCommand(m.dan!, 'stats', [{ name: 'me', options: [{ name: 'view', value: 'reliability' }] }])).final(30_000);
    expect(said.content).toContain('Said vs showed: Dan · last 30 days');
  }, 60_000);

  it('says so instead of sending an empty picture when there is nothing to draw', async () => {
    const r = await w.emu.runCommand(m.erin!, 'stats', [{ name: 'me', options: [{ name: 'view', value: 'reliability' }] }]);
    const message = await r.final(30_000);
    expect(message.content).toMatch(/Nothing to draw yet: .*has not declared any hours/);
    expect(message.files).toHaveLength(0);
  }, 40_000);

  it('lists what a member can draw before the admin charts (/stats help), and marks the admin charts in the command list', async () => {
    const help = await (await w.emu.runCommand(m.dan!, 'stats', [{ name: 'help', options: [] }])).final(30_000);
    const text = String(help.content);
    expect(help.ephemeral_for).toBe(m.dan);
    const own = text.indexOf('**Anyone can draw, about themselves:**');
    const admins = text.indexOf('**Admins (Manage Server) can also draw, about everyone:**');
    expect(own).toBeGreaterThan(0);
    expect(admins).toBeGreaterThan(own);
    expect(text.slice(own, admins)).toContain('`/stats me`');
    expect(text.slice(admins)).toContain('(you are not an admin here, so these answer with a refusal)');
    for (const chart of ['member-months', 'drifting', 'total', 'community']) expect(text.slice(admins)).toContain(`\`/stats ${chart}\``);
    const byAdmin = await (await w.emu.runCommand(m.alice!, 'stats', [{ name: 'help', options: [] }])).final(30_000);
    expect(byAdmin.content).not.toContain('you are not an admin here');
    const stats = w.emu.commands(w.emu.fixture.guildId).find((c) => c.name === 'stats') as { options: { name: string; description: string }[] };
    const description = (sub: string) => stats.options.find((o) => o.name === sub)!.description;
    expect(description('drifting')).toMatch(/^Admins: Drifting away/);
    expect(description('member-months')).toMatch(/^Admins: /);
    expect(description('timeline')).toMatch(/^Anyone, own only: /);
    // The refusal points there too.
    const refused = await (await w.emu.runCommand(m.dan!, 'stats', [{ name: 'member-months', options: [] }])).final(10_000);
    expect(refused.content).toBe('⛔ Charts about everyone are for server admins (Manage Server). Try `/stats me` for your own; `/stats help` lists what you can draw.');
    expect(refused.files).toHaveLength(0);
  }, 60_000);

  it('gives admins the per-member views: hours per month per member (a year by default) and who is drifting away (90 days)', async () => {
    const guildId = w.emu.fixture.guildId;
    const c = w.emu.fixture.channels as Record<string, string>;
    // Erin played 8 h in September and nothing since.
    await w.app.db
      .insertInto('voice_stays')
      .values({ guild_id: guildId, channel_id: c.squadB!, user_id: m.erin!, started_at: T0 - 70 * 24 * H, ended_at: T0 - 70 * 24 * H + 8 * H })
      .execute();
    const months = await (await w.emu.runCommand(m.alice!, 'stats', [{ name: 'member-months', options: [] }])).final(30_000);
    expect(months.content).toContain('📊 **Hours per month per member · last 365 days**');
    expect(months.content).toContain('The 4 member(s) with the most voice time, hours per month; 2026-11:');
    expect(months.files[0]?.filename).toBe('rollcall-member-months.png');
    expect(inspectPng(months.files[0]!.bytes).variance).toBeGreaterThan(100);
    const drift = await (await w.emu.runCommand(m.alice!, 'stats', [{ name: 'drifting', options: [] }])).final(30_000);
    expect(drift.content).toContain('📊 **Drifting away: the last 4 weeks against their own average**');
    // 8 h over the 8.8 weeks before the last 4 (27 Aug → 27 Oct), none since.
    expect(drift.content).toMatch(/^1 member\(s\) played less in the last 4 weeks than their weekly average before; steepest: .+, 0\.9 → 0 h\/week\.$/m);
    expect(drift.files[0]?.content_type).toBe('image/png');
    const short = await (await w.emu.runCommand(m.alice!, 'stats', [{ name: 'drifting', options: [{ name: 'range', value: '30d' }] }])).final(30_000);
    expect(short.content).toBe('📊 Nothing to draw yet: Drifting compares the last 4 weeks with at least 4 weeks before them: pick a range of 90 days or more.');
  }, 60_000);
});
