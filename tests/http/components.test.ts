import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChannelType } from 'discord-api-types/v10';
import { CHANNEL_ID, MEMBER_ID, MEMBER_PERMISSIONS, channelOpt, command, component } from '../helpers/interactions.js';
import { startHarness, type Harness } from '../helpers/server.js';
import { decodePicks, encodePicks } from '../../src/interactions/commands/schedule.js';

const asMember = { userId: MEMBER_ID, permissions: MEMBER_PERMISSIONS };

describe('components with stale or forged custom_ids', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.send(command('config', 'channel', [channelOpt('channel', CHANNEL_ID)], {}, { channels: { [CHANNEL_ID]: { id: CHANNEL_ID, type: ChannelType.GuildText } } }));
  });
  afterAll(() => h.close());

  it('round-trips the picks it puts in custom_ids', () => {
    const picks = { weekdays: [1, 3, 7], hours: [0, 1, 20, 23] };
    expect(decodePicks(encodePicks(picks))).toEqual(picks);
    expect(`sched-save:${encodePicks({ weekdays: [1, 2, 3, 4, 5, 6, 7], hours: Array.from({ length: 24 }, (_, i) => i) })}`.length).toBeLessThan(100);
  });

  it.each([
    ['sched-days:zz!!', ['1']],
    ['sched-save:', []],
    ['sched-hours:zzzz.zzzzzzz', ['21']],
    ['sched-days:1.1', ['9']],
    ['sched-hours:1.1', ['-1']],
  ])('%s → a clear "out of date" or "not valid" answer, nothing stored', async (id, values) => {
    const res = await h.send(component(id, values, asMember));
    expect(res.json.type).toBe(4);
    expect(res.json.data.flags).toBe(64);
    expect(res.json.data.content).toMatch(/out of date|not valid/);
    expect(await h.app.db.selectFrom('schedules').selectAll().execute()).toHaveLength(0);
  });

  it('a component key from an older version gets an explanation', async () => {
    const res = await h.send(component('vote-old:123', [], asMember));
    expect(res.json.data.content).toContain('no longer works');
  });
});
