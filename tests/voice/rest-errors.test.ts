import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRest, DiscordApi } from '../../src/shared/discord/rest.js';

const G = '940000000000000001';

/**
 * The REST façade's member and emoji look-ups against an HTTP server answering with Discord's error
 * bodies: "unknown" becomes null (not in the guild / not this guild's emoji), anything else throws.
 */
describe('member and emoji look-ups over REST', () => {
  let server: Server;
  let api: DiscordApi;
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const url = req.url ?? '';
      if (url === `/api/v10/guilds/${G}/members/1001`) return send(200, { user: { id: '1001', username: 'carol.dev', global_name: 'Carol', avatar: 'abc' }, nick: 'Caz', roles: ['7'], avatar: null });
      if (url === `/api/v10/guilds/${G}/members/1002`) return send(200, { user: { id: '1002', username: 'frank42', global_name: null, avatar: null, bot: true }, nick: null, roles: [] });
      if (url.startsWith(`/api/v10/guilds/${G}/members/`)) return send(404, { message: 'Unknown Member', code: 10007 });
      if (url === `/api/v10/guilds/${G}/emojis/2001`) return send(200, { id: '2001', name: 'owl_yes', animated: false });
      if (url.startsWith(`/api/v10/guilds/${G}/emojis/`)) return send(404, { message: 'Unknown Emoji', code: 10014 });
      return send(403, { message: 'Missing Access', code: 50001 });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    api = new DiscordApi(createRest({ apiUrl: `http://127.0.0.1:${port}/api`, token: 'test-token' }), '940000000000000099');
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads a member as plain values: nick, else global name, else username', async () => {
    expect(await api.getGuildMember(G, '1001')).toEqual({ userId: '1001', displayName: 'Caz', roles: ['7'], avatar: 'abc', bot: false });
    expect(await api.getGuildMember(G, '1002')).toEqual({ userId: '1002', displayName: 'frank42', roles: [], avatar: null, bot: true });
  });

  it('answers null for a user not in the guild (10007) and for an emoji not of this guild (10014)', async () => {
    expect(await api.getGuildMember(G, '1003')).toBeNull();
    expect(await api.getGuildEmoji(G, '2001')).toMatchObject({ name: 'owl_yes' });
    expect(await api.getGuildEmoji(G, '2002')).toBeNull();
  });

  it('throws for other errors, so the caller keeps what it knows instead of forgetting the member', async () => {
    await expect(api.getGuildMember('940000000000000002', '1001')).rejects.toThrow('Missing Access');
  });
});
