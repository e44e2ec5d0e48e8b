/**
 * The control HTTP API (what the web page will use) and the SSE wire log.
 */
import { REST } from '@discordjs/rest';
import { Routes, type APIMessage } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type WireEvent } from '../../src/sandbox/index.js';
import { eventually } from './helpers.js';

let emu: Emulator;
afterEach(async () => {
  await emu?.close();
});

const post = (path: string, body: unknown) => fetch(`${emu.controlUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

describe('control API', () => {
  it('reacts as a member and reads messages over HTTP, by fixture key or id', async () => {
    emu = await startEmulator();
    const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
    const msg = (await rest.post(Routes.channelMessages(emu.fixture.channels.tonight), { body: { content: 'Who is in?' } })) as APIMessage;
    expect((await post('/react', { user: 'alice', channel: 'tonight', message: msg.id, emoji: '🕘' })).status).toBe(200);
    expect((await post('/react', { user: emu.fixture.members.bob.id, channel: emu.fixture.channels.tonight, message: msg.id, emoji: '🕘' })).status).toBe(200);
    const res = await fetch(`${emu.controlUrl}/channels/tonight/messages?as=alice`);
    const messages = (await res.json()) as APIMessage[];
    expect(messages).toHaveLength(1);
    expect(messages[0]?.reactions).toEqual([expect.objectContaining({ emoji: { id: null, name: '🕘' }, count: 2, me: true })]);
    expect((await post('/unreact', { user: 'alice', channel: 'tonight', message: msg.id, emoji: '🕘' })).status).toBe(200);
    expect(emu.message(emu.fixture.channels.tonight, msg.id)?.reactions?.[0]?.count).toBe(1);
    // A moderator clears the reactions, then deletes the message.
    expect((await post('/reactions/clear', { channel: 'tonight', message: msg.id, emoji: '🕘' })).status).toBe(200);
    expect(emu.message(emu.fixture.channels.tonight, msg.id)?.reactions ?? []).toEqual([]);
    expect((await post('/messages/delete', { channel: 'tonight', message: msg.id })).status).toBe(200);
    expect(emu.messages(emu.fixture.channels.tonight)).toEqual([]);
    await expect(rest.get(Routes.channelMessage(emu.fixture.channels.tonight, msg.id))).rejects.toMatchObject({ code: 10008 });

    const bad = await post('/react', { user: 'alice', channel: 'tonight', message: '1', emoji: '🕘' });
    expect(bad.status).toBe(404);
    expect(await bad.json()).toMatchObject({ discord: { code: 10008 } });
    expect((await post('/voice/join', { user: 'carol', channel: 'squadA' })).status).toBe(200);
    expect(emu.voiceStates()).toEqual([expect.objectContaining({ user_id: emu.fixture.members.carol.id, channel_id: emu.fixture.channels.squadA })]);
    const state = (await (await fetch(`${emu.controlUrl}/state`)).json()) as { counters: { requests: Record<string, number> } };
    expect(state.counters.requests['POST /channels/:id/messages']).toBe(1);
    expect((await fetch(`${emu.controlUrl}/nope`)).status).toBe(404);
  });

  it('injects faults over HTTP and streams wire events as SSE', async () => {
    emu = await startEmulator();
    const events: WireEvent[] = [];
    const controller = new AbortController();
    const sse = await fetch(`${emu.controlUrl}/events?replay=0`, { signal: controller.signal });
    expect(sse.headers.get('content-type')).toBe('text/event-stream');
    const reader = sse.body!.getReader();
    void (async () => {
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        buffer += new TextDecoder().decode(value);
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (data) events.push(JSON.parse(data.slice(6)) as WireEvent);
        }
      }
    })();
    expect((await post('/faults', { method: 'GET', route: '/users/@me', status: 503 })).status).toBe(200);
    const res = await fetch(`${emu.api}/v10/users/@me`, { headers: { Authorization: `Bot ${emu.token}` } });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ message: '503: Service Unavailable', code: 0 });
    const rest = await eventually(() => events.find((e) => e.kind === 'rest'));
    expect(rest).toMatchObject({ kind: 'rest', method: 'GET', route: 'GET /users/@me', status: 503, fault: 'injected 503' });
    controller.abort();
  });
});
