import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatchHandlers } from '../../src/gateway/events/index.js';
import { ManualClock } from '../../src/shared/clock.js';
import type { App } from '../../src/app.js';
import { localTime } from '../../src/shared/services/timezones.js';
import { tempDir, testApp, testConfig } from '../helpers/app.js';
import { createTestKeys } from '../helpers/keys.js';

const G = '930000000000000001';
const AFK = '930000000000000013';
const VOICE = '930000000000000014';
const HI = '930000000000000050';
const LO = '930000000000000051';
const ALICE = '930000000000000101';

const role = (id: string, position: number) => ({ id, name: `r${position}`, position, color: 0, hoist: false, managed: false, mentionable: false, permissions: '0', flags: 0 });
const user = (id: string, bot = false) => ({ id, username: `u${id.slice(-3)}`, global_name: null, discriminator: '0', avatar: null, bot });

/** Guild, role and channel dispatches keep the guild cache (AFK channel, role order) current. */
describe('guild data from gateway events', () => {
  let app: App;
  let cleanup: () => void;
  let dispatch: (payload: unknown) => Promise<void>;

  beforeEach(async () => {
    const tmp = tempDir();
    cleanup = tmp.cleanup;
    app = await testApp(testConfig({ publicKey: createTestKeys().publicKeyHex, databasePath: `${tmp.dir}/r.sqlite` }), { clock: new ManualClock(Date.parse('2026-11-23T20:00:00Z')) });
    const handlers = dispatchHandlers(app);
    dispatch = (payload) => handlers.dispatch(payload as never);
    await dispatch({
      t: 'GUILD_CREATE',
      d: {
        id: G,
        name: 'Night Owls',
        afk_channel_id: AFK,
        roles: [role(G, 0), role(HI, 5), role(LO, 2)],
        channels: [
          { id: AFK, name: 'AFK', type: 2 },
          { id: VOICE, name: 'Squad', type: 2 },
        ],
        members: [{ user: user(ALICE), nick: 'Al', roles: [HI, LO], avatar: null }],
        voice_states: [
          { user_id: ALICE, channel_id: AFK, self_mute: false, self_deaf: false, mute: false, deaf: false, session_id: 's', suppress: false, self_video: false, request_to_speak_timestamp: null },
        ],
      },
    });
  });
  afterEach(async () => {
    await app.close();
    cleanup();
  });

  it('stores the guild, its members in voice, and their stays (AFK flagged) from GUILD_CREATE', async () => {
    expect((await app.guilds.get(G))?.afkChannelId).toBe(AFK);
    expect(await app.members.get(G, ALICE)).toEqual({ userId: ALICE, displayName: 'Al', roles: [HI, LO], avatar: null, bot: false });
    expect((await app.voice.openStays(G)).map((s) => [s.channelId, s.afk])).toEqual([[AFK, true]]);
  });

  it('follows role moves and deletions in the rank order', async () => {
    await app.rankEmoji.set(G, HI, '👑');
    await app.rankEmoji.set(G, LO, '🙂');
    expect((await app.labels.labels(G, [ALICE])).get(ALICE)).toBe('👑 Al');
    await dispatch({ t: 'GUILD_ROLE_UPDATE', d: { guild_id: G, role: role(LO, 9) } });
    expect((await app.labels.labels(G, [ALICE])).get(ALICE)).toBe('🙂 Al');
    await dispatch({ t: 'GUILD_ROLE_DELETE', d: { guild_id: G, role_id: LO } });
    await dispatch({ t: 'GUILD_ROLE_CREATE', d: { guild_id: G, role: role('930000000000000052', 7) } });
    expect((await app.guilds.roles(G)).map((r) => r.id).sort()).toEqual([G, HI, '930000000000000052'].sort());
  });

  it('a deleted AFK channel stops being the AFK channel; GUILD_UPDATE can name a new one', async () => {
    await dispatch({ t: 'CHANNEL_DELETE', d: { id: AFK, guild_id: G, name: 'AFK', type: 2 } });
    expect(await app.guilds.afkChannelId(G)).toBeNull();
    await dispatch({ t: 'GUILD_UPDATE', d: { id: G, name: 'Night Owls', afk_channel_id: VOICE, roles: [role(G, 0), role(HI, 5)] } });
    expect(await app.guilds.afkChannelId(G)).toBe(VOICE);
  });

  it('closes the stays of a guild the bot leaves, and of guilds missing from READY', async () => {
    await dispatch({ t: 'READY', d: { guilds: [{ id: G, unavailable: true }] } });
    expect(await app.voice.openStays(G)).toHaveLength(1);
    await dispatch({ t: 'READY', d: { guilds: [] } });
    expect(await app.voice.openStays(G)).toHaveLength(0);
  });
});

describe('local time on DST change days (Luxon)', () => {
  it('tells the two 01:30s of London’s autumn change apart by their offset', () => {
    // 25 October 2026: clocks go back at 02:00 BST → 01:00 GMT.
    expect(localTime(Date.parse('2026-10-25T00:30:00Z'), 'Europe/London')).toEqual({ time: '01:30', weekday: 'Sun', offset: 'UTC+1', offsetMinutes: 60 });
    expect(localTime(Date.parse('2026-10-25T01:30:00Z'), 'Europe/London')).toEqual({ time: '01:30', weekday: 'Sun', offset: 'UTC+0', offsetMinutes: 0 });
  });

  it('skips the missing hour of a spring change', () => {
    // 8 March 2026 in New York: 01:59 EST is followed by 03:00 EDT.
    expect(localTime(Date.parse('2026-03-08T06:59:00Z'), 'America/New_York').time).toBe('01:59');
    expect(localTime(Date.parse('2026-03-08T07:00:00Z'), 'America/New_York').time).toBe('03:00');
    expect(localTime(Date.parse('2026-03-08T07:00:00Z'), 'Asia/Kolkata')).toEqual({ time: '12:30', weekday: 'Sun', offset: 'UTC+5:30', offsetMinutes: 330 });
  });
});
