import { once } from 'node:events';
import { WebSocketShardEvents } from '@discordjs/ws';
import { afterEach, describe, expect, it } from 'vitest';
import { lastHeardAt } from '../../src/shared/gateway-connection.js';
import { slotsFor } from '../../src/shared/time/slots.js';
import type { VoiceStay } from '../../src/shared/services/voice-sessions.js';
import { eventually, startWorld, type World } from '../helpers/world.js';

type Members = Record<'alice' | 'bob' | 'carol' | 'dan' | 'erin' | 'frank' | 'beep', string>;

const ids = (w: World) => Object.fromEntries(Object.entries(w.emu.fixture.members).map(([k, v]) => [k, v.id])) as Members;
const channels = (w: World) => w.emu.fixture.channels as Record<'squadA' | 'squadB' | 'afk' | 'tonight', string>;

/** Stays in minutes after `t0`, as a person reading the table would check them. */
async function stayTable(w: World, t0: number) {
  const m = ids(w);
  const c = channels(w);
  const name = (id: string) => Object.entries(m).find(([, v]) => v === id)![0];
  const chan = (id: string) => Object.entries(c).find(([, v]) => v === id)![0];
  const stays = await w.app.voice.stays(w.emu.fixture.guildId, 0, Number.MAX_SAFE_INTEGER);
  const mins = (t: number | null) => (t === null ? null : (t - t0) / 60_000);
  return stays.map((s: VoiceStay) => `${name(s.userId)} ${chan(s.channelId)} ${mins(s.startedAt)}→${mins(s.endedAt) ?? 'open'}${s.endEstimated ? ' (estimated)' : ''}${s.afk ? ' afk' : ''}`).sort();
}

/** GUILD_CREATEs the emulator has sent so far: one more means a new session has its guild. */
const guildCreates = (w: World) => w.emu.events.filter((e) => e.kind === 'gateway' && (e as { t?: string }).t === 'GUILD_CREATE').length;

/** Alice joins Squad A at `t0`; at minute 10 a heartbeat ACK says the bot is still listening. */
async function aliceHeardAtMinuteTen(w: World, t0: number) {
  const m = ids(w);
  const c = channels(w);
  await w.emu.joinVoice(m.alice, c.squadA);
  await settledInVoice(w, 1);
  w.clock.set(t0 + 10 * 60_000);
  await ackedNow(w);
  return { m, c };
}

/** Waits for the next heartbeat ACK: the bot is known connected at the clock's current time. */
async function ackedNow(w: World) {
  await once(w.gateway.manager, WebSocketShardEvents.HeartbeatComplete);
}

async function settledInVoice(w: World, count: number) {
  await eventually(async () => {
    await w.settle();
    expect(await w.app.voice.openStays()).toHaveLength(count);
  });
}

describe('voice presence across restarts', () => {
  let w: World;
  afterEach(() => w.close());

  const T0 = Date.parse('2026-11-24T01:00:00Z');
  const at = (minutes: number) => w.clock.set(T0 + minutes * 60_000);

  it('after a crash, no stay counts the downtime; leavers are closed and joiners opened from GUILD_CREATE', async () => {
    w = await startWorld({ now: T0 });
    const m = ids(w);
    const c = channels(w);
    await w.emu.joinVoice(m.alice, c.squadA);
    await w.emu.joinVoice(m.bob, c.squadA);
    await w.emu.joinVoice(m.carol, c.afk);
    await w.emu.joinVoice(m.beep, c.squadA); // a bot: never tracked
    await settledInVoice(w, 3);

    at(20);
    await ackedNow(w); // the gateway is connected at minute 20
    await w.app.heartbeat.beat(); // the timer's last beat before the crash
    at(20.25);
    await w.crash(); // kill -9: no stay is closed

    // While the bot is down: Bob leaves, Dan joins.
    await w.emu.leaveVoice(m.bob);
    await w.emu.joinVoice(m.dan, c.squadB);
    at(80); // an hour after the crash
    await w.restart();
    await settledInVoice(w, 3);

    expect(await stayTable(w, T0)).toEqual([
      'alice squadA 0→20 (estimated)',
      'alice squadA 80→open',
      'bob squadA 0→20 (estimated)',
      'carol afk 0→20 (estimated) afk',
      'carol afk 80→open afk',
      'dan squadB 80→open',
    ]);
  });

  it('a crash during a gateway outage: stays end where the gateway was lost, not at the last beat of the still-running process', async () => {
    w = await startWorld({ now: T0 });
    const m = ids(w);
    const c = channels(w);
    await w.emu.joinVoice(m.alice, c.squadA);
    await w.emu.joinVoice(m.bob, c.squadB);
    await w.emu.setVoiceFlags(m.bob, { selfMute: true });
    await settledInVoice(w, 2);
    await eventually(async () => expect((await w.app.voice.flags((await w.app.voice.currentStay(w.emu.fixture.guildId, m.bob))!.id)).length).toBe(1));

    at(10);
    await ackedNow(w); // last known connected: minute 10
    // The emulator refuses the session (4004): @discordjs/ws does not reconnect, the process runs on.
    const closed = once(w.gateway.manager, WebSocketShardEvents.Closed);
    w.emu.dropGateway({ code: 4004 });
    await closed;
    expect(w.gateway.connection.state).toBe('reconnecting');
    // Meanwhile Bob leaves and Carol joins; the bot hears nothing of it.
    await w.emu.leaveVoice(m.bob);
    await w.emu.joinVoice(m.carol, c.squadA);
    at(40);
    await w.app.heartbeat.beat(); // the process is alive at minute 40, its gateway is not
    expect(await w.app.heartbeat.last()).toBe(T0 + 40 * 60_000);
    expect(await w.app.heartbeat.lastConnected()).toBe(T0 + 10 * 60_000);
    expect(w.gateway.connection.sessions).toBe(1);
    at(40.5);
    await w.crash(); // kill -9 during the outage

    at(100);
    await w.restart();
    await settledInVoice(w, 2);
    expect(await stayTable(w, T0)).toEqual(['alice squadA 0→10 (estimated)', 'alice squadA 100→open', 'bob squadB 0→10 (estimated)', 'carol squadA 100→open']);
    const bobs = (await w.app.voice.stays(w.emu.fixture.guildId, T0, T0 + 1)).find((s) => s.userId === m.bob)!;
    expect((await w.app.voice.flags(bobs.id)).map((f) => `${f.kind} ${(f.startedAt - T0) / 60_000}→${(f.endedAt! - T0) / 60_000}`)).toEqual(['mute 0→10']);
  });

  it('a stop (SIGTERM) during a gateway outage closes open stays where the gateway was lost, estimated', async () => {
    w = await startWorld({ now: T0 });
    await aliceHeardAtMinuteTen(w, T0);
    const closed = once(w.gateway.manager, WebSocketShardEvents.Closed);
    w.emu.dropGateway({ code: 4004 });
    await closed;
    at(40);
    await w.stopBot();
    at(45);
    await w.restart();
    await settledInVoice(w, 1);
    expect(await stayTable(w, T0)).toEqual(['alice squadA 0→10 (estimated)', 'alice squadA 45→open']);
  });

  it('a clean stop (SIGTERM) closes open stays at that moment, not estimated', async () => {
    w = await startWorld({ now: T0 });
    const m = ids(w);
    const c = channels(w);
    await w.emu.joinVoice(m.alice, c.squadA);
    await w.emu.setVoiceFlags(m.alice, { selfDeaf: true });
    await settledInVoice(w, 1);
    at(30);
    await w.stopBot();
    at(45);
    await w.restart();
    await settledInVoice(w, 1);
    expect(await stayTable(w, T0)).toEqual(['alice squadA 0→30', 'alice squadA 45→open']);
    const first = (await w.app.voice.stays(w.emu.fixture.guildId, T0, T0 + 1))[0]!;
    expect((await w.app.voice.flags(first.id)).map((f) => `${f.kind} ${(f.startedAt - T0) / 60_000}→${(f.endedAt! - T0) / 60_000}`)).toEqual(['mute 0→30', 'deaf 0→30']);
  });
});

describe('auto-add from voice', () => {
  let w: World;
  afterEach(() => w.close());

  it('adds members in voice to the slot they are in, again at each hour boundary; nothing for the AFK channel or outside the slots', async () => {
    // 06:00 in New York, Monday 23 November 2026 (EST, UTC-5).
    w = await startWorld({ now: '2026-11-23T11:00:00Z' });
    const m = ids(w);
    const c = channels(w);
    const date = '2026-11-23';
    const admin = async (sub: string, options: unknown[] = []) => (await (await w.emu.runCommand(m.alice, 'config', [{ name: sub, options } as never])).final()).content;
    await admin('channel', [{ name: 'channel', value: c.tonight }]);
    await admin('hours', [
      { name: 'first', value: 20 },
      { name: 'last', value: 22 },
    ]);

    // Before the message exists, voice adds nothing (and nothing breaks).
    await w.emu.joinVoice(m.dan, c.squadB);
    await settledInVoice(w, 1);
    await w.emu.leaveVoice(m.dan);
    await settledInVoice(w, 0);

    w.clock.set(Date.parse('2026-11-23T12:00:00Z')); // 07:00: post time
    await w.tick();
    const daily = () =>
      w.emu
        .messages(c.tonight)
        .filter((x) => x.author.id === w.emu.applicationId)
        .at(-1)!;
    const slots = slotsFor(date, 'America/New_York', 20, 22);
    const line = (hour: number) =>
      daily()
        .content.split('\n')
        .find((l) => l.includes(`<t:${slots.find((s) => s.hour === hour)!.unix}:t>`))!;
    expect(line(20)).toMatch(/— ·$/);

    // 19:40: in voice, but before the first slot.
    w.clock.set(Date.parse('2026-11-24T00:40:00Z'));
    await w.emu.joinVoice(m.frank, c.squadA);
    await settledInVoice(w, 1);
    await w.tick();
    expect(await w.app.db.selectFrom('availability').selectAll().execute()).toEqual([]);

    // 20:30 New York: Alice joins a squad, Carol sits in AFK.
    w.clock.set(Date.parse('2026-11-24T01:30:00Z'));
    await w.emu.joinVoice(m.alice, c.squadA);
    await w.emu.joinVoice(m.carol, c.afk);
    await settledInVoice(w, 3);
    await w.tick();
    // Alice on joining; Frank, there since 19:40, by the first tick of the 20:00 hour.
    await eventually(async () => {
      await w.settle();
      expect(line(20)).toMatch(/\*\*2\*\*: (Al 🎧, Frankie 🎧|Frankie 🎧, Al 🎧)$/);
    });
    expect(line(21)).toMatch(/— ·$/);
    await w.emu.leaveVoice(m.frank);
    await w.emu.joinVoice(m.bob, c.squadB);
    await eventually(async () => {
      await w.settle();
      expect((await w.app.voice.openStays()).map((s) => s.userId).sort()).toEqual([m.alice, m.bob, m.carol].sort());
    });

    // 21:00:10: the hour boundary adds everyone still in a non-AFK channel to the new slot.
    w.clock.set(Date.parse('2026-11-24T02:00:10Z'));
    await w.tick();
    await w.tick(); // a second tick in the same hour changes nothing
    await eventually(async () => {
      await w.settle();
      expect(line(21)).toMatch(/\*\*2\*\*: (Al 🎧, Bob 🎧|Bob 🎧, Al 🎧)$/);
    });
    expect(line(20)).toMatch(/\*\*3\*\*: /);
    expect(daily().content).not.toContain('Caz');
    const seen = await w.app.db.selectFrom('availability').select(['user_id', 'hour']).where('seen_in_voice', '=', 1).orderBy('hour').orderBy('user_id').execute();
    expect(seen).toEqual(
      [
        { user_id: m.alice, hour: 20 },
        { user_id: m.frank, hour: 20 },
        { user_id: m.bob, hour: 20 },
        { user_id: m.alice, hour: 21 },
        { user_id: m.bob, hour: 21 },
      ].sort((a, b) => a.hour - b.hour || a.user_id.localeCompare(b.user_id)),
    );
  });
});

describe('auto-add when the message comes late', () => {
  let w: World;
  afterEach(() => w.close());

  it('a message posted mid-hour (/config post-now) gets the members already in voice at the next tick', async () => {
    // 20:10 in New York: the admin never set a post time that has passed; Frank is already playing.
    w = await startWorld({ now: '2026-11-24T01:10:00Z' });
    const m = ids(w);
    const c = channels(w);
    const admin = async (sub: string, options: unknown[] = []) => (await (await w.emu.runCommand(m.alice, 'config', [{ name: sub, options } as never])).final()).content;
    await admin('post-time', [{ name: 'time', value: '23:00' }]);
    await admin('channel', [{ name: 'channel', value: c.tonight }]);
    await admin('hours', [
      { name: 'first', value: 20 },
      { name: 'last', value: 22 },
    ]);
    await w.emu.joinVoice(m.frank, c.squadA);
    await settledInVoice(w, 1);
    await w.tick(); // no message yet: nothing to add to

    w.clock.set(Date.parse('2026-11-24T01:30:00Z'));
    expect(await admin('post-now')).toContain('Posted');
    await w.tick();
    const daily = () =>
      w.emu
        .messages(c.tonight)
        .filter((x) => x.author.id === w.emu.applicationId)
        .at(-1)!;
    const line = (hour: number) =>
      daily()
        .content.split('\n')
        .find((l) => l.includes(`<t:${slotsFor('2026-11-23', 'America/New_York', 20, 22).find((s) => s.hour === hour)!.unix}:t>`))!;
    await eventually(async () => {
      await w.settle();
      expect(line(20)).toMatch(/\*\*1\*\*: Frankie 🎧$/);
    });
  });
});

describe('voice presence across a non-resumed reconnect', () => {
  let w: World;
  afterEach(() => w.close());

  it('a crash right after a reconnect (before the next timed beat) never ends a stay before it began', async () => {
    const T0 = Date.parse('2026-11-24T01:00:00Z');
    const at = (minutes: number) => w.clock.set(T0 + minutes * 60_000);
    w = await startWorld({ now: T0 });
    const { m, c } = await aliceHeardAtMinuteTen(w, T0);
    const before = guildCreates(w);
    w.emu.dropGateway({ resumable: false });
    await w.emu.joinVoice(m.dan, c.squadB);
    at(70); // back an hour later: Dan's stay opens at the reconnect
    await eventually(() => guildCreates(w) > before);
    await settledInVoice(w, 2);
    at(70.2);
    await w.crash(); // before the 30 s timer wrote a beat after the reconnect
    at(100);
    await w.restart();
    await settledInVoice(w, 2);
    const stays = await w.app.voice.stays(w.emu.fixture.guildId, T0, T0 + 200 * 60_000);
    for (const s of stays) if (s.endedAt !== null) expect(s.endedAt).toBeGreaterThanOrEqual(s.startedAt);
    // Alice was still there at the reconnect: her stay runs to the reconnect, not back to the outage's start.
    expect(await stayTable(w, T0)).toEqual(['alice squadA 0→70 (estimated)', 'alice squadA 100→open', 'dan squadB 100→open', 'dan squadB 70→70 (estimated)']);
  });

  it('repairs stays from the new session’s GUILD_CREATE: leavers closed where the connection was lost (estimated), joiners opened, moves followed', async () => {
    const T0 = Date.parse('2026-11-24T01:00:00Z');
    w = await startWorld({ now: T0 });
    const m = ids(w);
    const c = channels(w);
    await w.emu.joinVoice(m.alice, c.squadA);
    await w.emu.joinVoice(m.bob, c.squadA);
    await w.emu.joinVoice(m.carol, c.squadA);
    await settledInVoice(w, 3);

    w.clock.set(T0 + 10 * 60_000);
    // A heartbeat ACK at minute 10: the bot is listening (waited for, not slept: on a busy machine
    // the next beat may take longer than any fixed pause).
    await eventually(() => expect(lastHeardAt(w.gateway.connection.view())).toBeGreaterThanOrEqual(T0 + 10 * 60_000), 15_000);
    const before = guildCreates(w);
    // The connection drops and cannot be resumed; what happens meanwhile reaches no session. The
    // bot is back an hour later (the clock only moves when told).
    w.emu.dropGateway({ resumable: false });
    await w.emu.leaveVoice(m.bob);
    await w.emu.joinVoice(m.carol, c.squadB);
    await w.emu.joinVoice(m.dan, c.squadB);
    w.clock.set(T0 + 70 * 60_000);
    await eventually(() => guildCreates(w) > before);
    await eventually(async () => {
      await w.settle();
      expect(await stayTable(w, T0)).toEqual(['alice squadA 0→open', 'bob squadA 0→10 (estimated)', 'carol squadA 0→10 (estimated)', 'carol squadB 70→open', 'dan squadB 70→open']);
    });
  });
});
