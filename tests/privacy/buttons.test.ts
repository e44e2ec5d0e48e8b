import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ID, GUILD_ID, MEMBER_ID, MEMBER_PERMISSIONS, command, component, str } from '../helpers/interactions.js';
import { startHarness, type Harness } from '../helpers/server.js';

/** The `/privacy` buttons over signed HTTP: they act only for the member they were shown to. */
describe('/privacy buttons (signed requests)', () => {
  let h: Harness;
  const asMember = { userId: MEMBER_ID, permissions: MEMBER_PERMISSIONS };
  beforeAll(async () => {
    h = await startHarness();
    await h.app.timezones.set(GUILD_ID, ADMIN_ID, 'Europe/Paris');
  });
  afterAll(() => h.close());

  it('a forged button with someone else’s id erases nothing', async () => {
    for (const key of ['privacy-erase', 'privacy-erase-voice', 'privacy-keep']) {
      const res = await h.send(component(`${key}:${ADMIN_ID}`, [], asMember));
      expect(res.json.data.content).toContain('belongs to someone else');
    }
    expect(await h.app.db.selectFrom('member_timezones').select('user_id').execute()).toEqual([{ user_id: ADMIN_ID }]);
  });

  it('the owner’s press erases and replaces the question (no buttons left)', async () => {
    const res = await h.send(component(`privacy-erase:${ADMIN_ID}`));
    expect(res.json.type).toBe(7); // UPDATE_MESSAGE: the ephemeral question becomes the answer
    expect(res.json.data.content).toContain('your time zone');
    expect(res.json.data.components).toEqual([]);
    expect(await h.app.db.selectFrom('member_timezones').selectAll().execute()).toEqual([]);
  });

  it('/privacy tracking without on/off, or a bad value, is a clear error', async () => {
    // A value outside the declared choices never reaches the handler: 400 naming the field.
    const bad = await h.send(command('privacy', 'tracking', [str('voice', 'maybe')], asMember));
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/^malformed interaction: `data\.options[^`]*\.value` /);
    expect((await h.send(command('privacy', 'tracking', [], asMember))).json.data.content).toContain('Say `on` or `off`');
    expect(await h.app.privacy.isTracked(GUILD_ID, MEMBER_ID)).toBe(true);
  });
});
