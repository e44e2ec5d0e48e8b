import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { DiscordRequestError, NoAccessError, NotFoundError } from '../../src/shared/discord/errors.js';
import { createRest, DiscordApi } from '../../src/shared/discord/rest.js';
import { startEmulator, type Emulator } from '../../src/sandbox/index.js';

/**
 * The façade's calls fail with rollcall's domain errors (what services decide on), carrying Discord's
 * message and code, and answer plain shapes — against the emulator's real error bodies.
 */
describe('the REST façade speaks in domain errors and plain shapes', () => {
  let emu: Emulator;
  let api: DiscordApi;
  let tonight: string;

  beforeAll(async () => {
    emu = await startEmulator();
    api = new DiscordApi(createRest({ apiUrl: emu.api, token: emu.token }), emu.applicationId);
    tonight = emu.fixture.channels.tonight;
  });
  afterAll(() => emu.close());

  it('creates and lists messages as { id, authorId, content }', async () => {
    const posted = await api.createMessage(tonight, { content: 'hello', nonce: 'rc-test-1', enforceNonce: true });
    expect(posted).toEqual({ id: expect.any(String), authorId: emu.applicationId, content: 'hello' });
    expect(await api.createMessage(tonight, { content: 'hello', nonce: 'rc-test-1', enforceNonce: true })).toEqual(posted);
    expect((await api.getMessages(tonight, { limit: 5 })).find((m) => m.id === posted.id)).toEqual(posted);
  });

  it('no access → NoAccessError (50001 missing access, 50013 missing permissions); unknown → NotFoundError naming what', async () => {
    const posted = await api.createMessage(tonight, { content: 'react to me' });
    await emu.deleteMessage(tonight, posted.id);
    const gone = await api.addOwnReaction(tonight, posted.id, '🕗').catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(NotFoundError);
    expect(gone).toMatchObject({ resource: 'message', code: 10008, status: 404, message: 'Unknown Message', permanent: true });
    const noChannel = await api.createMessage('1085457353932800999', { content: 'x' }).catch((e: unknown) => e);
    expect(noChannel).toMatchObject({ name: 'NotFoundError', resource: 'channel', code: 10003 });

    emu.world.channel(tonight).overwrites = [{ id: emu.fixture.botUserId, type: 1, allow: 0n, deny: PermissionFlagsBits.AddReactions }];
    const fresh = await api.createMessage(tonight, { content: 'again' });
    const denied = await api.addOwnReaction(tonight, fresh.id, '🕗').catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(NoAccessError);
    expect(denied).toMatchObject({ kind: 'missing-permissions', code: 50013, status: 403 });
    emu.world.channel(tonight).overwrites = [{ id: emu.fixture.botUserId, type: 1, allow: 0n, deny: PermissionFlagsBits.ViewChannel }];
    expect(await api.getMessages(tonight).catch((e: unknown) => e)).toMatchObject({ name: 'NoAccessError', kind: 'missing-access', code: 50001 });
    emu.world.channel(tonight).overwrites = [];
  });

  it('a server error after the retries → DiscordRequestError that is not permanent', async () => {
    emu.injectFault({ method: 'GET', route: '/channels/:id/messages', status: 503, count: 3 });
    const failed = await api.getMessages(tonight).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DiscordRequestError);
    expect(failed).toMatchObject({ status: 503, permanent: false });
  });
});
