import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.js';
import type { App } from '../../src/app.js';
import { createLogger } from '../../src/shared/logger.js';
import { GuildCache } from '../../src/shared/services/guilds.js';
import { MemberCache, type MemberInfo } from '../../src/shared/services/members.js';
import { RankEmojiService } from '../../src/shared/services/rank-emoji.js';
import { generateMembers, type Emulator } from '../../src/sandbox/index.js';
import { slotsFor } from '../../src/shared/time/slots.js';
import { tempDir, testApp, testConfig } from '../helpers/app.js';
import { createTestKeys } from '../helpers/keys.js';
import { eventually, installedWithInvitePermissions, startWorld, type World } from '../helpers/world.js';
import { memberFetches } from './rest-counts.js';

const G = '920000000000000001';
const ROLE_HI = '920000000000000050';
const ROLE_LO = '920000000000000051';
const user = (n: number) => String(920000000000000100n + BigInt(n));
const info = (id: string, over: Partial<MemberInfo> = {}): MemberInfo => ({ userId: id, displayName: `name-${id.slice(-3)}`, roles: [], avatar: null, bot: false, ...over });

/** The member cache over a real SQLite file, with a REST stand-in that counts and can be slow or fail. */
describe('member cache', () => {
  let app: App;
  let clock: ManualClock;
  let cleanup: () => void;
  let calls: string[];
  let directory: Map<string, MemberInfo>;
  let failing: boolean;
  let cache: MemberCache;

  const build = (options: { maxEntries?: number } = {}) => {
    const log = createLogger('silent');
    const guilds = new GuildCache({ db: app.db, clock, log });
    const ranks = new RankEmojiService({ db: app.db, clock, log, guilds, findGuildEmoji: async () => null });
    return new MemberCache({
      db: app.db,
      clock,
      log,
      guilds,
      ranks,
      maxEntries: options.maxEntries,
      fetchMember: async (guildId, userId) => {
        calls.push(userId);
        await new Promise((r) => setTimeout(r, 5)); // a round trip, so concurrent misses overlap
        if (failing) throw new Error('503 from Discord');
        return directory.get(userId) ?? null;
      },
    });
  };

  beforeEach(async () => {
    const tmp = tempDir();
    cleanup = tmp.cleanup;
    clock = new ManualClock(Date.parse('2026-11-23T20:00:00Z'));
    app = await testApp(testConfig({ publicKey: createTestKeys().publicKeyHex, databasePath: `${tmp.dir}/r.sqlite` }), { clock });
    calls = [];
    failing = false;
    directory = new Map(Array.from({ length: 40 }, (_, i) => [user(i), info(user(i))]));
    cache = build();
  });
  afterEach(async () => {
    await app.close();
    cleanup();
  });

  it('coalesces concurrent misses: 200 lookups of 40 unknown members cost 40 fetches, then none', async () => {
    const lookups = Array.from({ length: 200 }, (_, i) => cache.get(G, user(i % 40)));
    const found = await Promise.all(lookups);
    expect(found.every((m) => m !== null)).toBe(true);
    expect(calls).toHaveLength(40);
    expect(new Set(calls).size).toBe(40);
    await cache.labels(
      G,
      Array.from({ length: 40 }, (_, i) => user(i)),
    );
    expect(calls).toHaveLength(40);
  });

  it('serves remembered members without REST, from memory and after a restart from SQLite', async () => {
    await cache.remember(G, info(user(1), { displayName: 'Caz', roles: [ROLE_LO] }));
    expect((await cache.labels(G, [user(1)])).get(user(1))).toBe('Caz');
    const restarted = build();
    expect(await restarted.get(G, user(1))).toEqual(info(user(1), { displayName: 'Caz', roles: [ROLE_LO] }));
    expect(calls).toEqual([]);
  });

  it('picks up a newer copy another process stored, within the recheck window, without REST', async () => {
    await cache.remember(G, info(user(1), { displayName: 'Old nick' }));
    const otherProcess = build();
    clock.advance(60_000);
    await otherProcess.remember(G, info(user(1), { displayName: 'New nick' }));
    expect((await cache.get(G, user(1)))?.displayName).toBe('Old nick'); // memory still trusted
    clock.advance(10 * 60_000);
    expect((await cache.get(G, user(1)))?.displayName).toBe('New nick');
    expect(calls).toEqual([]);
  });

  it('refetches a stale member, and keeps the stale copy if Discord fails', async () => {
    await cache.remember(G, info(user(1), { displayName: 'Old' }));
    clock.advance(13 * 3_600_000);
    failing = true;
    expect((await cache.get(G, user(1)))?.displayName).toBe('Old');
    failing = false;
    directory.set(user(1), info(user(1), { displayName: 'New' }));
    expect((await cache.get(G, user(1)))?.displayName).toBe('New');
    expect(calls).toEqual([user(1), user(1)]);
  });

  it('remembers "not in this guild" for a while and labels such members as a mention', async () => {
    const stranger = user(99);
    expect((await cache.labels(G, [stranger])).get(stranger)).toBe(`<@${stranger}>`);
    expect((await cache.labels(G, [stranger])).get(stranger)).toBe(`<@${stranger}>`);
    expect(calls).toEqual([stranger]);
    clock.advance(61 * 60_000);
    directory.set(stranger, info(stranger, { displayName: 'Back' }));
    expect((await cache.labels(G, [stranger])).get(stranger)).toBe('Back');
    expect(calls).toEqual([stranger, stranger]);
  });

  it('stays within its size bound (least recently used out first), falling back to SQLite', async () => {
    const small = build({ maxEntries: 10 });
    for (let i = 0; i < 30; i++) await small.remember(G, info(user(i)));
    expect((small as unknown as { memory: { size: number } }).memory.size).toBe(10);
    expect((await small.get(G, user(0)))?.displayName).toBe(info(user(0)).displayName);
    expect(calls).toEqual([]);
  });

  it('lets go of copies gone stale even when nobody reads them again (count and age both bound memory)', async () => {
    const small = build({ maxEntries: 100 });
    const memory = (small as unknown as { memory: { size: number } }).memory;
    for (let i = 0; i < 20; i++) await small.remember(G, info(user(i)));
    expect(memory.size).toBe(20);
    clock.advance(13 * 3_600_000);
    // A quarter of the bound in new stores later, the twenty stale copies are gone.
    for (let i = 100; i < 125; i++) await small.remember(G, info(user(i)));
    expect(memory.size).toBe(25);
    // Still answered from SQLite (and REST, since the copy is stale), never lost.
    directory.set(user(3), info(user(3), { displayName: 'Three' }));
    expect((await small.get(G, user(3)))?.displayName).toBe('Three');
  });

  it('prefixes the emoji of the highest-positioned mapped role', async () => {
    await app.guilds.remember({
      guildId: G,
      name: 'G',
      afkChannelId: null,
      channels: [],
      roles: [
        { id: ROLE_HI, name: 'hi', position: 5 },
        { id: ROLE_LO, name: 'lo', position: 2 },
      ],
    });
    await app.rankEmoji.set(G, ROLE_LO, '🙂');
    await app.rankEmoji.set(G, ROLE_HI, '👑');
    await app.members.remember(G, info(user(1), { displayName: 'Both', roles: [ROLE_LO, ROLE_HI] }));
    await app.members.remember(G, info(user(2), { displayName: 'Low', roles: [ROLE_LO] }));
    await app.members.remember(G, info(user(3), { displayName: 'None', roles: [] }));
    const labels = await app.labels.labels(G, [user(1), user(2), user(3)]);
    expect([...labels.values()]).toEqual(['👑 Both', '🙂 Low', 'None']);
  });

  it('shows names as typed: markdown and mention look-alikes are escaped', async () => {
    await app.members.remember(G, info(user(4), { displayName: '*star* <@1> x_y' }));
    expect((await app.labels.labels(G, [user(4)])).get(user(4))).toBe('\\*star\\* \\<@1\\> x\\_y');
  });
});

describe('rank emoji validation', () => {
  let app: App;
  let cleanup: () => void;
  beforeEach(async () => {
    const tmp = tempDir();
    cleanup = tmp.cleanup;
    app = await testApp(testConfig({ publicKey: createTestKeys().publicKeyHex, databasePath: `${tmp.dir}/r.sqlite` }));
    await app.guilds.remember({ guildId: G, name: 'G', afkChannelId: null, channels: [], roles: [{ id: ROLE_HI, name: 'hi', position: 5 }] });
  });
  afterEach(async () => {
    await app.close();
    cleanup();
  });

  const service = (emoji: Record<string, { name: string; animated?: boolean }>, fail = false) =>
    new RankEmojiService({
      db: app.db,
      clock: app.clock,
      log: app.log,
      guilds: app.guilds,
      findGuildEmoji: async (_g, id) => {
        if (fail) throw new Error('timeout');
        return emoji[id] ?? null;
      },
    });

  it("accepts this server's custom emoji and refuses others, roles the bot cannot see, and a failed check", async () => {
    const owl = '920000000000000400';
    const ranks = service({ [owl]: { name: 'owl_yes' } });
    expect(await ranks.set(G, ROLE_HI, `<:owl:${owl}>`)).toBe(`<:owl_yes:${owl}>`);
    await expect(ranks.set(G, ROLE_HI, '<:nitro:920000000000000401>')).rejects.toThrow("is not an emoji of this server, so I can't use it");
    await expect(ranks.set(G, '920000000000000059', '⭐')).rejects.toThrow("I can't see the role <@&920000000000000059> in this server");
    await expect(service({}, true).set(G, ROLE_HI, '<:xx:920000000000000402>')).rejects.toThrow('I could not check that emoji with Discord just now');
    expect(await ranks.list(G)).toEqual([{ roleId: ROLE_HI, emoji: `<:owl_yes:${owl}>` }]);
  });
});

/** The whole path: 40 members click 200 times on the daily message, then un-click without a member in the payload. */
describe('REST traffic of a reaction burst', () => {
  let w: World;
  afterEach(() => w.close());

  it('costs at most one member fetch per member', async () => {
    const crowd = generateMembers(40);
    w = await startWorld({ now: '2026-11-23T11:00:00Z', emulator: { fixture: { ...installedWithInvitePermissions(), extraMembers: crowd } } });
    const emu: Emulator = w.emu;
    const alice = emu.fixture.members.alice!.id;
    const tonight = emu.fixture.channels.tonight!;
    const config = async (sub: string, options: unknown[]) => (await emu.runCommand(alice, 'config', [{ name: sub, options } as never])).final();
    await config('channel', [{ name: 'channel', value: tonight }]);
    await config('hours', [
      { name: 'first', value: 20 },
      { name: 'last', value: 0 },
    ]);
    w.clock.set(Date.parse('2026-11-23T12:00:00Z'));
    await w.tick();
    const daily = () =>
      emu
        .messages(tonight)
        .filter((x) => x.author.id === emu.applicationId)
        .at(-1)!;
    const id = daily().id;
    const clocks = ['🕗', '🕘', '🕙', '🕚', '🕛'];
    const ids = crowd.map((c) => c.id);

    await Promise.all(ids.flatMap((who) => clocks.map((e) => emu.react(who, tonight, id, e))));
    // Windows for a loaded machine (4 s quiet; CI's parallel runs took over 20 s): this counts fetches, not time.
    await eventually(async () => {
      await w.settle();
      expect(daily().content).toMatch(/\*\*40\*\*/);
    }, 30_000);
    const afterAdds = memberFetches(w);

    // A new process: memory empty, and the stored members forgotten, as for members only ever seen un-clicking.
    await w.restart();
    // The restart re-reads the reactions (a fresh session): let that finish first, or an un-click it
    // finds already gone is handled there, with no member to look up (CI on PostgreSQL: 0 fetches).
    await w.settle();
    await w.app.db.deleteFrom('members').execute();
    await Promise.all(ids.map((who) => emu.unreact(who, tonight, id, '🕗')));
    const slots = slotsFor('2026-11-23', 'America/New_York', 20, 0);
    const line = (slot: number) =>
      daily()
        .content.split('\n')
        .find((l) => l.includes(`<t:${slots[slot]!.unix}:t>`))!;
    // The 🕘 line alone would hold from the start (it showed 40 names before): wait for the 🕗 line
    // to be emptied by the un-clicks, so the count below is taken after they were handled.
    await eventually(async () => {
      await w.settle();
      expect(line(0)).toMatch(/ — ·$/);
      expect(line(1)).toMatch(/\*\*40\*\*: Member 0001, /);
    }, 30_000);
    const total = memberFetches(w);
    if (process.env.SHOW_COUNTS) console.log(`member fetches: after 200 adds ${afterAdds}, after 40 member-less removes ${total}`);
    expect(afterAdds).toBe(0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(40);
  }, 90_000);
});
