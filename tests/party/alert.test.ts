import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { slotsFor } from '../../src/shared/time/slots.js';
import { testApp, testConfig } from '../helpers/app.js';
import { botMessages, eventually, startConfiguredWorld, type World } from '../helpers/world.js';
import { alerts, click as clickOn, run, unclick } from './helpers.js';

const POST_TIME = '2026-11-23T12:00:00Z'; // 07:00 in New York, Monday
const NINE_PM = slotsFor('2026-11-23', 'America/New_York', 20, 23).find((s) => s.hour === 21)!.unix;

/**
 * The party-ready alert as a server lives it: an admin turns it on at 5 with a role, two members opt
 * in to be pinged, members click 21:00 one by one on the daily message.
 */
describe('the party-ready alert', () => {
  let w: World;
  let m: World['emu']['fixture']['members'];
  let roles: World['emu']['fixture']['roles'];
  let daily: string;

  beforeAll(async () => {
    w = await startConfiguredWorld(POST_TIME);
    ({ members: m, roles } = w.emu.fixture);
    await w.tick();
    daily = botMessages(w)[0]!.id;
  });
  afterAll(() => w.close());

  const click = (userId: string, emoji = '🕘') => clickOn(w, userId, daily, emoji);

  it('is off by default: five clicks on one hour post nothing', async () => {
    expect(await run(w, m.alice.id, 'config', 'show')).toContain('Party alert: off');
    for (const who of [m.alice, m.bob, m.carol, m.dan, m.frank]) await click(who.id, '🕙');
    await w.tick();
    expect(alerts(w)).toEqual([]);
  });

  it('says once, when the fifth member clicks 21:00, who is coming — pinging exactly the opted-in members and the role', async () => {
    expect(
      await run(w, m.alice.id, 'config', 'party', [
        { name: 'size', value: '5' },
        { name: 'role', value: roles.veteran },
      ]),
    ).toContain(`at **5** members for the same hour`);
    expect(await run(w, m.bob.id, 'remind', 'party', [{ name: 'state', value: 'on' }])).toContain('will mention you');
    expect(await run(w, m.carol.id, 'remind', 'party', [{ name: 'state', value: 'on' }])).toContain('will mention you');
    // 22:00 already had five before the alert was on: the next check (a tick) announces it too.
    await w.tick();
    expect(alerts(w)).toHaveLength(1);
    expect(alerts(w)[0]!.content).toContain(`<t:${NINE_PM + 3600}:t> has 5`);

    for (const who of [m.alice, m.bob, m.carol, m.dan]) await click(who.id);
    expect(alerts(w)).toHaveLength(1);
    await click(m.frank.id);
    await eventually(() => expect(alerts(w)).toHaveLength(2));
    const alert = alerts(w)[1]!;
    expect(alert.content).toBe(`🎉 <t:${NINE_PM}:t> has 5: Al, <@${m.bob.id}>, <@${m.carol.id}>, Dan, Frankie — see you there <@&${roles.veteran}>`);
    expect(alert.allowed_mentions).toEqual({ parse: [], users: [m.bob.id, m.carol.id], roles: [roles.veteran] });
    expect(alert.mentions.map((u) => u.id).sort()).toEqual([m.bob.id, m.carol.id].sort());
    expect(alert.mention_roles).toEqual([roles.veteran]);
    expect(alert.mention_everyone).toBe(false);
  });

  it('does not alert again when an un-click drops 21:00 under five and a re-click brings it back, nor after a restart', async () => {
    await unclick(w, m.dan.id, daily, '🕘');
    await click(m.dan.id);
    await click(m.erin.id);
    await w.tick();
    await w.restart();
    await w.tick();
    expect(alerts(w)).toHaveLength(2);
    expect(botMessages(w)[0]!.content).toMatch(/\*\*6\*\*: Al, Bob, Caz, Dan, Erin, Frankie$/m);
  });

  it('never names a member who turned tracking off (counted, not named), and gives no alert for an hour that is over', async () => {
    await run(w, m.erin.id, 'privacy', 'tracking', [{ name: 'voice', value: 'off' }]);
    for (const who of [m.alice, m.bob, m.carol, m.dan]) await click(who.id, '🕗');
    await click(m.erin.id, '🕗');
    await eventually(() => expect(alerts(w)).toHaveLength(3));
    expect(alerts(w)[2]!.content).toBe(`🎉 <t:${NINE_PM - 3600}:t> has 5: Al, <@${m.bob.id}>, <@${m.carol.id}>, Dan and 1 more — see you there <@&${roles.veteran}>`);
    // 23:00 reaches five only after it ended (votes re-read after an outage would do that): nothing.
    w.clock.set((NINE_PM + 3 * 3600 + 60) * 1000);
    for (const who of [m.alice, m.bob, m.carol, m.dan, m.frank]) await click(who.id, '🕚');
    await w.tick();
    expect(alerts(w)).toHaveLength(3);
    const rows = await w.app.db.selectFrom('party_alerts').select(['hour', 'state']).orderBy('hour').execute();
    expect(rows).toEqual([
      { hour: 20, state: 'posted' },
      { hour: 21, state: 'posted' },
      { hour: 22, state: 'posted' },
    ]);
  });

  it('turns off with `off` or 0 and refuses sizes it cannot use, with a clear message that changes nothing', async () => {
    for (const bad of ['1', '26', '-3', 'lots', '5.5']) {
      const text = await run(w, m.alice.id, 'config', 'party', [{ name: 'size', value: bad }]);
      expect(text).toContain('is not a party size');
      expect(text).toContain('from 2 to 25, or `off`');
    }
    expect(
      await run(w, m.alice.id, 'config', 'party', [
        { name: 'size', value: '5' },
        { name: 'role', value: w.emu.fixture.guildId },
      ]),
    ).toContain('never pings @everyone');
    expect(await w.app.partySettings.get(w.emu.fixture.guildId)).toMatchObject({ size: 5, roleId: roles.veteran });
    // Each /config party says both: without a role, none is pinged.
    expect(await run(w, m.bob.id, 'config', 'party', [{ name: 'size', value: '3' }])).toContain(
      'Party alert: at **3** members for the same hour, once per hour and day, pinging the members who opted in',
    );
    expect(await run(w, m.alice.id, 'config', 'party', [{ name: 'size', value: 'off' }])).toContain('The party alert is off.');
    expect(await run(w, m.alice.id, 'config', 'party', [{ name: 'size', value: '0' }])).toContain('Party alert: off');
    expect(await run(w, m.dan.id, 'config', 'party', [{ name: 'size', value: '4' }]).catch((e: Error) => e.message)).toMatch(/default_member_permissions/);
  });
});

describe('two processes on one database file', () => {
  let w: World;
  let second: App;

  beforeAll(async () => {
    w = await startConfiguredWorld(POST_TIME);
    await w.tick();
    second = await testApp(testConfig({ applicationId: w.emu.applicationId, publicKey: w.emu.publicKey, token: w.emu.token, apiUrl: w.emu.api, databasePath: w.dbPath }), { clock: w.clock });
  });
  afterAll(async () => {
    await second.close();
    await w.close();
  });

  it('post one alert when both see the fifth member at once', async () => {
    const m = w.emu.fixture.members;
    await run(w, m.alice.id, 'config', 'party', [{ name: 'size', value: '5' }]);
    const post = (await w.app.posts.current(w.emu.fixture.guildId))!;
    for (const who of [m.alice, m.bob, m.carol, m.dan, m.frank]) {
      await w.app.db.insertInto('availability').values({ guild_id: post.guild_id, date: post.date, user_id: who.id, hour: 21, declared: 'reaction', updated_at: 1 }).execute();
    }
    // Both processes get the change signal for the same message at the same moment.
    for (let i = 0; i < 3; i++) {
      w.app.partyAlerts.changed(post);
      second.partyAlerts.changed(post);
    }
    await Promise.all([w.app.partyAlerts.idle(), second.partyAlerts.idle(), w.app.partyAlerts.check(post), second.partyAlerts.check(post)]);
    expect(alerts(w)).toHaveLength(1);
    expect(alerts(w)[0]!.content).toBe(`🎉 <t:${NINE_PM}:t> has 5: Al, Bob, Caz, Dan, Frankie — see you there`);
    expect(alerts(w)[0]!.allowed_mentions).toEqual({ parse: [], users: [], roles: [] });
  });

  it('a crash between the claim and the create: the next start posts the same alert once', async () => {
    const post = (await w.app.posts.current(w.emu.fixture.guildId))!;
    const m = w.emu.fixture.members;
    // The claim as a process writes it just before it dies: the row, its nonce, who it names.
    await w.app.db
      .insertInto('party_alerts')
      .values({
        guild_id: post.guild_id,
        date: post.date,
        hour: 22,
        slot_unix: NINE_PM + 3600,
        channel_id: post.channel_id,
        nonce: 'pa-crashed-0001',
        state: 'planned',
        coming: 5,
        role_id: null,
        message_id: null,
        error: null,
        created_at: w.clock.now(),
        posted_at: null,
      })
      .execute();
    await w.app.db
      .insertInto('party_alert_members')
      .values([m.alice, m.bob].map((who, position) => ({ guild_id: post.guild_id, date: post.date, hour: 22, user_id: who.id, position })))
      .execute();
    await w.crash();
    w.clock.advance(60_000);
    await w.restart();
    await w.tick();
    await w.tick();
    expect(alerts(w)).toHaveLength(2);
    expect(alerts(w)[1]!.content).toBe(`🎉 <t:${NINE_PM + 3600}:t> has 5: Al, Bob and 3 more — see you there`);
    expect(await w.app.db.selectFrom('party_alerts').select('state').where('hour', '=', 22).executeTakeFirst()).toEqual({ state: 'posted' });
  });
});
