/**
 * REST conformance: the real @discordjs/rest client against the emulator.
 */
import { DiscordAPIError, HTTPError, RateLimitError, REST } from '@discordjs/rest';
import { Routes, type APIMessage, type APIUser } from 'discord-api-types/v10';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/sandbox/index.js';
import { tinyPng } from './helpers.js';

let emu: Emulator;

async function setup(options: EmulatorOptions = {}) {
  emu = await startEmulator(options);
  const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
  return { emu, rest, ch: emu.fixture.channels.tonight };
}

afterEach(async () => {
  await emu?.close();
});

const raw = (path: string, init: RequestInit = {}, token: string | null = emu.token) =>
  fetch(`${emu.api}/v10${path}`, {
    ...init,
    headers: { ...(token ? { Authorization: `Bot ${token}` } : {}), 'Content-Type': 'application/json', ...(init.headers as Record<string, string>) },
  });

describe('REST basics', () => {
  it('serves the bot user, gateway info and bucket headers', async () => {
    const { rest } = await setup();
    const me = (await rest.get(Routes.user())) as APIUser;
    expect(me).toMatchObject({ id: emu.applicationId, bot: true, username: 'rollcall' });
    const gw = (await rest.get(Routes.gatewayBot())) as { url: string; shards: number };
    expect(gw).toEqual({ url: emu.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 } });

    const res = await raw(`/channels/${emu.fixture.channels.tonight}/messages`, { method: 'POST', body: JSON.stringify({ content: 'hi' }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('5');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(Number(res.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(4.9);
    expect(Number(res.headers.get('x-ratelimit-reset'))).toBeCloseTo(Date.now() / 1000 + 5, 0);
    expect(res.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers 401 without or with a wrong token', async () => {
    await setup();
    const res = await raw('/users/@me', {}, null);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: '401: Unauthorized', code: 0 });
    const wrong = new REST({ api: emu.api, version: '10' }).setToken('nope');
    await expect(wrong.get(Routes.user())).rejects.toMatchObject({ status: 401, code: 0 });
  });

  it("gives Discord's errors: 10003, 10008, 50035 with nested errors, 50006, 404, 405, 50109", async () => {
    const { rest, ch } = await setup();
    await expect(rest.get(Routes.channel('123456789012345678'))).rejects.toMatchObject({ status: 404, code: 10003, message: 'Unknown Channel' });
    await expect(rest.get(Routes.channelMessage(ch, '123456789012345678'))).rejects.toMatchObject({ status: 404, code: 10008 });
    const tooLong = await rest.post(Routes.channelMessages(ch), { body: { content: 'x'.repeat(2001) } }).catch((e: unknown) => e);
    expect(tooLong).toBeInstanceOf(DiscordAPIError);
    expect((tooLong as DiscordAPIError).code).toBe(50035);
    expect((tooLong as DiscordAPIError).rawError).toEqual({
      message: 'Invalid Form Body',
      code: 50035,
      errors: { content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] } },
    });
    await expect(rest.post(Routes.channelMessages(ch), { body: {} })).rejects.toMatchObject({ code: 50006 });
    const embeds = await rest.post(Routes.channelMessages(ch), { body: { embeds: [{ title: 't'.repeat(257) }] } }).catch((e: DiscordAPIError) => e.rawError);
    expect(embeds).toMatchObject({ code: 50035, errors: { embeds: { 0: { title: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] } } } } });

    const unknownRoute = await raw('/nope/here');
    expect(unknownRoute.status).toBe(404);
    expect(await unknownRoute.json()).toEqual({ message: '404: Not Found', code: 0 });
    const wrongMethod = await raw('/users/@me', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    const badJson = await raw(`/channels/${ch}/messages`, { method: 'POST', body: '{"content": "oops"' });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toEqual({ message: 'The request body contains invalid JSON.', code: 50109 });
  });

  it('checks permissions: DMs closed → 50007; member listing without the intent → 50001', async () => {
    const { rest } = await setup();
    const dm = (await rest.post(Routes.userChannels(), { body: { recipient_id: emu.fixture.members.erin.id } })) as { id: string; type: number };
    expect(dm.type).toBe(1);
    await expect(rest.post(Routes.channelMessages(dm.id), { body: { content: 'hi' } })).rejects.toMatchObject({ status: 403, code: 50007 });
    const open = (await rest.post(Routes.userChannels(), { body: { recipient_id: emu.fixture.members.bob.id } })) as { id: string };
    await expect(rest.post(Routes.channelMessages(open.id), { body: { content: 'hi bob' } })).resolves.toMatchObject({ content: 'hi bob' });
    await expect(rest.get(Routes.guildMembers(emu.fixture.guildId))).rejects.toMatchObject({ status: 403, code: 50001 });
    await expect(rest.get(Routes.guildMember(emu.fixture.guildId, '123456789012345678'))).rejects.toMatchObject({ code: 10007 });
    const member = (await rest.get(Routes.guildMember(emu.fixture.guildId, emu.fixture.members.carol.id))) as { nick: string; user: APIUser };
    expect(member).toMatchObject({ nick: 'Caz', user: { username: 'carol.dev', global_name: 'Carol' } });
  });
});

describe('messages', () => {
  it('dedupes creates with nonce + enforce_nonce', async () => {
    const { rest, ch } = await setup();
    const body = { content: 'Tonight 21:00?', nonce: 'daily-2026-11-23', enforce_nonce: true };
    const a = (await rest.post(Routes.channelMessages(ch), { body })) as APIMessage;
    const b = (await rest.post(Routes.channelMessages(ch), { body })) as APIMessage;
    expect(b.id).toBe(a.id);
    expect(a.nonce).toBe('daily-2026-11-23');
    expect(emu.messages(ch)).toHaveLength(1);
    const c = (await rest.post(Routes.channelMessages(ch), { body: { ...body, enforce_nonce: false } })) as APIMessage;
    expect(c.id).not.toBe(a.id);
  });

  it('lists with limit/before/after newest first, edits and deletes', async () => {
    const { rest, ch } = await setup({ rateLimitWindowScale: 0.05 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(((await rest.post(Routes.channelMessages(ch), { body: { content: `m${i}` } })) as APIMessage).id);
    const latest = (await rest.get(Routes.channelMessages(ch), { query: new URLSearchParams({ limit: '2' }) })) as APIMessage[];
    expect(latest.map((m) => m.content)).toEqual(['m4', 'm3']);
    const after = (await rest.get(Routes.channelMessages(ch), { query: new URLSearchParams({ after: ids[1] as string, limit: '2' }) })) as APIMessage[];
    expect(after.map((m) => m.content)).toEqual(['m3', 'm2']);
    const before = (await rest.get(Routes.channelMessages(ch), { query: new URLSearchParams({ before: ids[1] as string }) })) as APIMessage[];
    expect(before.map((m) => m.content)).toEqual(['m0']);
    const edited = (await rest.patch(Routes.channelMessage(ch, ids[0] as string), { body: { content: 'edited' } })) as APIMessage;
    expect(edited.content).toBe('edited');
    expect(edited.edited_timestamp).not.toBeNull();
    await rest.delete(Routes.channelMessage(ch, ids[4] as string));
    await expect(rest.get(Routes.channelMessage(ch, ids[4] as string))).rejects.toMatchObject({ code: 10008 });
    expect(emu.counters.edits).toBe(1);
  });

  it('stores multipart uploads (payload_json + files[n]) with their bytes', async () => {
    const { rest, ch } = await setup();
    const png = tinyPng(8, 5);
    const msg = (await rest.post(Routes.channelMessages(ch), {
      body: { content: 'chart', attachments: [{ id: 0, description: 'availability' }] },
      files: [{ name: 'chart.png', data: png, contentType: 'image/png' }],
    })) as APIMessage;
    expect(msg.attachments[0]).toMatchObject({ filename: 'chart.png', size: png.length, content_type: 'image/png', width: 8, height: 5, description: 'availability' });
    const stored = emu.message(ch, msg.id);
    expect(stored?.files[0]?.bytes.equals(png)).toBe(true);
    const download = await fetch(msg.attachments[0]?.url as string);
    expect(Buffer.from(await download.arrayBuffer()).equals(png)).toBe(true);
  });
});

describe('reactions', () => {
  it('pages reaction users by id with after/limit and keeps Discord emoji forms', async () => {
    const { rest, ch } = await setup();
    const msg = (await rest.post(Routes.channelMessages(ch), { body: { content: 'react!' } })) as APIMessage;
    const m = emu.fixture.members;
    for (const who of [m.frank, m.alice, m.dan, m.bob, m.carol]) await emu.react(who.id, ch, msg.id, '🕘');
    await emu.react(m.alice.id, ch, msg.id, `owl_yes:${emu.fixture.emojis.owl?.id}`);
    const page1 = (await rest.get(Routes.channelMessageReaction(ch, msg.id, encodeURIComponent('🕘')), { query: new URLSearchParams({ limit: '2' }) })) as APIUser[];
    const sorted = [m.alice, m.bob, m.carol, m.dan, m.frank].map((u) => u.id).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    expect(page1.map((u) => u.id)).toEqual(sorted.slice(0, 2));
    const page2 = (await rest.get(Routes.channelMessageReaction(ch, msg.id, encodeURIComponent('🕘')), { query: new URLSearchParams({ limit: '2', after: page1[1]?.id as string }) })) as APIUser[];
    expect(page2.map((u) => u.id)).toEqual(sorted.slice(2, 4));
    const custom = (await rest.get(Routes.channelMessageReaction(ch, msg.id, `owl_yes:${emu.fixture.emojis.owl?.id}`))) as APIUser[];
    expect(custom.map((u) => u.id)).toEqual([m.alice.id]);

    await rest.put(Routes.channelMessageOwnReaction(ch, msg.id, encodeURIComponent('🕘')));
    const fetched = (await rest.get(Routes.channelMessage(ch, msg.id))) as APIMessage;
    expect(fetched.reactions?.find((r) => r.emoji.name === '🕘')).toMatchObject({ count: 6, me: true });
    await expect(rest.put(Routes.channelMessageOwnReaction(ch, msg.id, 'notanemoji'))).rejects.toMatchObject({ code: 10014 });
    await expect(rest.delete(Routes.channelMessageUserReaction(ch, msg.id, encodeURIComponent('🕘'), m.bob.id))).rejects.toMatchObject({ code: 50013 });
  });
});

describe('rate limits', () => {
  it('a burst of 20 edits to one message finishes, the client pacing itself on the headers', async () => {
    const { rest, ch } = await setup({ rateLimitWindowScale: 0.1 });
    const msg = (await rest.post(Routes.channelMessages(ch), { body: { content: 'v0' } })) as APIMessage;
    const route = 'PATCH /channels/:id/messages/:id';
    const results = (await Promise.all(Array.from({ length: 20 }, (_, i) => rest.patch(Routes.channelMessage(ch, msg.id), { body: { content: `v${i + 1}` } })))) as APIMessage[];
    // The client reads the bucket headers and waits: no 429 at all, and no request sent twice.
    expect(emu.counters.rateLimited).toBe(0);
    expect(emu.counters.rateLimitedByRoute[route]).toBeUndefined();
    expect(emu.counters.requests[route]).toBe(20);
    expect(emu.counters.edits).toBe(20);
    // The edits landed in order: the last answer and the stored message are the 20th edit.
    expect(results.map((m) => m.content)).toEqual(Array.from({ length: 20 }, (_, i) => `v${i + 1}`));
    expect(emu.message(ch, msg.id)?.content).toBe('v20');
    expect(((await rest.get(Routes.channelMessage(ch, msg.id))) as APIMessage).content).toBe('v20');
  });

  it('ten reactions in a row to one message on the real 1 per 0.25 s bucket all land, paced by the headers', async () => {
    const { rest, ch } = await setup();
    const msg = (await rest.post(Routes.channelMessages(ch), { body: { content: 'when?' } })) as APIMessage;
    const emojis = ['🕖', '🕗', '🕘', '🕙', '🕚', '🕛', '🌙', '🦉', '✅', '❌'];
    const t0 = Date.now();
    for (const emoji of emojis) await rest.put(Routes.channelMessageOwnReaction(ch, msg.id, encodeURIComponent(emoji)));
    const elapsed = Date.now() - t0;
    // Every reaction is there, as the bot's own.
    const reactions = emu.message(ch, msg.id)?.reactions ?? [];
    expect(reactions.map((r) => [r.emoji.name, r.count, r.me])).toEqual(emojis.map((e) => [e, 1, true]));
    const fetched = (await rest.get(Routes.channelMessage(ch, msg.id))) as APIMessage;
    expect(fetched.reactions?.map((r) => [r.emoji.name, r.count, r.me])).toEqual(emojis.map((e) => [e, 1, true]));
    // The client paced itself on the headers (nine waits of at least ~0.25 s). @discordjs/rest learns
    // the bucket hash from the first answer and moves to a fresh queue for it, so the second reaction
    // can go out at once and meet a 429 — as against Discord. That one is retried; no other is sent.
    const limited = emu.counters.rateLimited;
    expect(limited).toBeLessThanOrEqual(1);
    expect(emu.counters.rateLimitedByRoute['PUT /channels/:id/messages/:id/reactions/:emoji/@me'] ?? 0).toBe(limited);
    expect(emu.counters.requests['PUT /channels/:id/messages/:id/reactions/:emoji/@me']).toBe(10 + limited);
    expect(elapsed).toBeGreaterThanOrEqual(9 * 250 - 50);
  });

  it('shares the edit bucket across messages of a channel and answers 429 like Discord', async () => {
    const { ch } = await setup();
    const create = (i: number) => raw(`/channels/${ch}/messages`, { method: 'POST', body: JSON.stringify({ content: `m${i}` }) });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) ids.push(((await (await create(i)).json()) as APIMessage).id);
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 6; i++) {
      const res = await raw(`/channels/${ch}/messages/${ids[i % 2]}`, { method: 'PATCH', body: JSON.stringify({ content: `e${i}` }) });
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(limited?.headers.get('x-ratelimit-scope')).toBe('user');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await limited?.json()) as { message: string; retry_after: number; global: boolean };
    expect(body.message).toBe('You are being rate limited.');
    expect(body.global).toBe(false);
    expect(body.retry_after).toBeGreaterThan(0);
    expect(body.retry_after).toBeLessThanOrEqual(5);
    expect(emu.counters.rateLimited).toBe(1);
    // Another channel has its own bucket (channel id is a major parameter).
    const other = await raw(`/channels/${emu.fixture.channels.general}/messages`, { method: 'POST', body: JSON.stringify({ content: 'elsewhere' }) });
    expect(other.status).toBe(200);
  });

  it('enforces the global 50/s limit with X-RateLimit-Global', async () => {
    await setup();
    const results = await Promise.all(Array.from({ length: 55 }, (_, i) => raw(i % 2 ? '/users/@me' : `/guilds/${emu.fixture.guildId}`)));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBe(5);
    expect(emu.counters.rateLimited).toBe(5);
    for (const res of limited) {
      expect(res.headers.get('x-ratelimit-global')).toBe('true');
      expect(res.headers.get('x-ratelimit-scope')).toBe('global');
      expect(res.headers.get('retry-after')).toBe('1');
      const body = (await res.json()) as { message: string; retry_after: number; global: boolean };
      expect(body.message).toBe('You are being rate limited.');
      expect(body.global).toBe(true);
      expect(body.retry_after).toBeGreaterThan(0);
      expect(body.retry_after).toBeLessThanOrEqual(1);
    }
  });

  it('a raw burst on one route over 50/s meets the global limit first, and it lifts after a second', async () => {
    await setup();
    const results = await Promise.all(Array.from({ length: 60 }, () => raw('/users/@me')));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    const limited = results.filter((r) => r.status === 429);
    expect(limited).toHaveLength(10);
    expect(limited.every((r) => r.headers.get('x-ratelimit-global') === 'true' && r.headers.get('x-ratelimit-scope') === 'global')).toBe(true);
    // A global 429 carries no bucket headers (it is not the route's bucket that is exhausted).
    expect(limited[0]?.headers.get('x-ratelimit-bucket')).toBeNull();
    const retryAfter = ((await limited[0]?.json()) as { retry_after: number }).retry_after;
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 20));
    expect((await raw('/users/@me')).status).toBe(200);
    expect(emu.counters.rateLimited).toBe(10);
  });

  it('injected faults: 429 reaches rejectOnRateLimit, 5xx are retried by the client', async () => {
    const { ch } = await setup();
    const rest = new REST({ api: emu.api, version: '10', rejectOnRateLimit: ['/channels'], retries: 3 }).setToken(emu.token);
    emu.injectFault({ method: 'POST', route: '/channels/:channel_id/messages', status: 429, retryAfter: 0.2 });
    await expect(rest.post(Routes.channelMessages(ch), { body: { content: 'x' } })).rejects.toBeInstanceOf(RateLimitError);
    expect(emu.counters.rateLimited).toBe(1);

    emu.injectFault({ method: 'GET', route: '/users/@me', status: 503, count: 2 });
    await expect(rest.get(Routes.user())).resolves.toMatchObject({ id: emu.applicationId });
    expect(emu.counters.requests['GET /users/@me']).toBe(3);

    const noRetry = new REST({ api: emu.api, version: '10', retries: 0 }).setToken(emu.token);
    emu.injectFault({ route: '*', status: 500 });
    await expect(noRetry.get(Routes.user())).rejects.toBeInstanceOf(HTTPError);

    emu.injectFault({ route: '/users/@me', latencyMs: 150 });
    const t0 = Date.now();
    await rest.get(Routes.user());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('a held request is neither answered nor applied until released, then both, in order', async () => {
    const { rest, ch } = await setup();
    const sent = (await rest.post(Routes.channelMessages(ch), { body: { content: 'first' } })) as { id: string };
    const release = emu.injectFault({ method: 'PATCH', route: '/channels/:id/messages/:id', hold: true });
    let answered = false;
    const held = rest.patch(Routes.channelMessage(ch, sent.id), { body: { content: 'late' } }).then((m) => ((answered = true), m));
    await new Promise((r) => setTimeout(r, 300));
    expect(answered).toBe(false);
    expect(emu.message(ch, sent.id)!.content).toBe('first');
    release();
    expect(await held).toMatchObject({ content: 'late' });
    expect(emu.message(ch, sent.id)!.content).toBe('late');
  });

  it("a release lets go of its own fault's requests only; clearing the faults lets go of the rest", async () => {
    const { rest, ch } = await setup();
    const sent = (await rest.post(Routes.channelMessages(ch), { body: { content: 'first' } })) as { id: string };
    const releaseEdit = emu.injectFault({ method: 'PATCH', route: '/channels/:id/messages/:id', hold: true });
    emu.injectFault({ method: 'POST', route: '/channels/:id/messages', hold: true });
    const done: string[] = [];
    const edit = rest.patch(Routes.channelMessage(ch, sent.id), { body: { content: 'edited' } }).then(() => done.push('edit'));
    const post = rest.post(Routes.channelMessages(ch), { body: { content: 'second' } }).then(() => done.push('post'));
    await new Promise((r) => setTimeout(r, 200));
    releaseEdit();
    await edit;
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toEqual(['edit']);
    emu.clearFaults();
    await post;
    expect(done).toEqual(['edit', 'post']);
  });

  it('can be turned off', async () => {
    await setup({ rateLimits: false });
    const results = await Promise.all(Array.from({ length: 60 }, () => raw('/users/@me')));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results[0]?.headers.get('x-ratelimit-limit')).toBeNull();
  });
});

describe('application commands', () => {
  it('bulk overwrite assigns ids, keeps them for the same name+type, bumps version on change', async () => {
    const { rest } = await setup();
    const defs = [
      { name: 'config', description: 'Configure rollcall', options: [{ type: 1, name: 'show', description: 'Show config' }] },
      { name: 'schedule', description: 'Plan a game' },
    ];
    const first = (await rest.put(Routes.applicationCommands(emu.applicationId), { body: defs })) as { id: string; version: string; name: string }[];
    expect(first).toHaveLength(2);
    const second = (await rest.put(Routes.applicationCommands(emu.applicationId), { body: [defs[0], { ...defs[1], description: 'Plan a session' }] })) as typeof first;
    expect(second[0]?.id).toBe(first[0]?.id);
    expect(second[0]?.version).toBe(first[0]?.version);
    expect(second[1]?.id).toBe(first[1]?.id);
    expect(second[1]?.version).not.toBe(first[1]?.version);
    const guild = (await rest.put(Routes.applicationGuildCommands(emu.applicationId, emu.fixture.guildId), { body: [defs[1]] })) as typeof first;
    expect(guild[0]).toMatchObject({ guild_id: emu.fixture.guildId, name: 'schedule' });
    expect(emu.commands().map((c) => c.name)).toEqual(['config', 'schedule']);
    await expect(rest.put(Routes.applicationCommands(emu.applicationId), { body: [{ name: 'Bad Name', description: 'x' }] })).rejects.toMatchObject({ code: 50035 });
  });
});
