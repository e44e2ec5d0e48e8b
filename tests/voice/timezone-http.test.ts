import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_ID, command, MEMBER_ID, MEMBER_PERMISSIONS, str } from '../helpers/interactions.js';
import { startHarness, type Harness } from '../helpers/server.js';

const STRANGER = '900000000000000777';
const memberOpt = (id: string) => ({ type: ApplicationCommandOptionType.User as const, name: 'member', value: id });

/** `/timezone` edge cases Discord itself produces, through the signed webhook. */
describe('/timezone over the webhook', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(() => h.close());

  it('refuses a user who is not in the server (Discord resolves no member for them), storing nothing', async () => {
    const resolved = { users: { [STRANGER]: { id: STRANGER, username: 'stranger', global_name: null, discriminator: '0', avatar: null } } };
    const res = await h.send(command('timezone', 'set', [str('zone', 'Europe/Paris'), memberOpt(STRANGER)], { userId: ADMIN_ID }, resolved));
    expect(res.json.data.content).toBe(`<@${STRANGER}> is not a member of this server.`);
    expect(res.json.data.flags).toBe(64);
    expect(await h.app.db.selectFrom('member_timezones').selectAll().execute()).toEqual([]);
  });

  it('lets a member set their own zone, naming themselves or not', async () => {
    const resolved = { users: { [MEMBER_ID]: { id: MEMBER_ID, username: 'm', discriminator: '0', avatar: null } }, members: { [MEMBER_ID]: { roles: [], nick: null } } };
    const res = await h.send(command('timezone', 'set', [str('zone', 'asia/tokyo'), memberOpt(MEMBER_ID)], { userId: MEMBER_ID, permissions: MEMBER_PERMISSIONS }, resolved));
    expect(res.json.data.content).toMatch(/^✅ Your time zone is now \*\*Asia\/Tokyo\*\* — it's \d\d:\d\d \(\w{3}, UTC\+9\) there\.$/);
    expect(await h.app.timezones.get('900000000000000001', MEMBER_ID)).toEqual({ zone: 'Asia/Tokyo', isDefault: false });
  });
});
