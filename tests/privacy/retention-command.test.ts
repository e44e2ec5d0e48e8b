import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUILD_ID, MEMBER_ID, MEMBER_PERMISSIONS, command, int } from '../helpers/interactions.js';
import { startHarness, type Harness } from '../helpers/server.js';

/**
 * `/config retention` over signed HTTP, without the emulator: Discord hides `/config` from members,
 * but a server can re-grant it to anyone, so the handler checks the permissions Discord sends.
 */
describe('/config retention (signed requests)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.listen();
  });
  afterAll(() => h.close());

  const reply = async (interaction: unknown) => {
    const res = await h.post(interaction);
    expect(res.status).toBe(200);
    expect(res.json.data.flags).toBe(64);
    return res.json.data.content as string;
  };

  it('a member without Manage Server cannot change it, even when the command is granted to them', async () => {
    const text = await reply(command('config', 'retention', [int('days', 7)], { userId: MEMBER_ID, permissions: MEMBER_PERMISSIONS }));
    expect(text).toContain('Only server admins');
    expect(await h.app.retention.days(GUILD_ID)).toBe(365);
    expect(await h.app.db.selectFrom('privacy_settings').selectAll().execute()).toEqual([]);
  });

  it('out-of-range values are refused and change nothing', async () => {
    // Outside the declared min_value/max_value Discord never sends them: a malformed request (400)
    // that no handler sees (tests/http/option-values.test.ts).
    for (const days of [0, 99999]) {
      const res = await h.post(command('config', 'retention', [int('days', days)]));
      expect(res.status).toBe(400);
      expect(res.json.error).toMatch(/`data\.options\[0\]\.options\[0\]\.value` must be at (least 1|most 3650)/);
    }
    expect(await reply(command('config', 'retention'))).toContain('The `days` option is required.');
    expect(await h.app.retention.days(GUILD_ID)).toBe(365);
  });

  it('an admin sets it, and it survives a restart', async () => {
    expect(await reply(command('config', 'retention', [int('days', 90)]))).toContain('kept for **90 days**');
    await h.restart();
    await h.listen();
    expect(await reply(command('config', 'show'))).toContain('History kept: 90 days');
  });
});
