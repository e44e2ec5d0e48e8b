import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Routes } from 'discord-api-types/v10';
import { createRest } from '../../src/shared/discord/rest.js';
import { eventually, startWorld, type World } from '../helpers/world.js';

/**
 * Found by `npm run soak` (kill -9 mid-edit): the restarted bot left the daily message stale for a
 * minute — the killed process's edit lease had to run out, and when no new change came nothing
 * looked at the message again. A lease held by a process of this machine that is gone is now taken
 * over at once, and every message left dirty is edited once the gateway is up.
 */
describe('an edit left pending by a killed process', () => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({ now: '2026-11-23T12:00:00Z' });
    const alice = w.emu.fixture.members.alice.id;
    await (await w.emu.runCommand(alice, 'config', [{ name: 'channel', options: [{ name: 'channel', value: w.emu.fixture.channels.tonight }] } as never])).final();
    await w.tick();
  });
  afterAll(() => w.close());

  const patches = () => w.emu.events.filter((e) => e.kind === 'rest' && e.method === 'PATCH').length;

  async function pendingChange(holder: string, userIndex: number) {
    const post = (await w.app.posts.current(w.emu.fixture.guildId))!;
    const members = Object.values(w.emu.fixture.members).filter((m) => !m.bot);
    await w.app.db
      .insertInto('availability')
      .values({ guild_id: post.guild_id, date: post.date, user_id: members[userIndex]!.id, hour: post.first_hour, declared: 'reaction', updated_at: w.clock.now() })
      .execute();
    // What the killed process left: the change counted, its lease on the message good for a minute.
    const until = Date.now() + 60_000; // leases are on the wall clock
    await w.app.db
      .insertInto('message_edits')
      .values({ message_id: post.message_id!, channel_id: post.channel_id, dirty_version: 1, lease_owner: holder, lease_until: until })
      .onConflict((oc) => oc.column('message_id').doUpdateSet((eb) => ({ dirty_version: eb('message_edits.dirty_version', '+', 1), lease_owner: holder, lease_until: until })))
      .execute();
    return post;
  }

  it('is edited at once by the next process when the holder is gone (and again a while later), and waits when the holder is alive', async () => {
    await w.settle();
    await new Promise((r) => setTimeout(r, 1_300));
    // A process that has exited: its pid is free.
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const post = await pendingChange(`${dead}:killed-mid-edit`, 0);
    const before = patches();
    expect(await w.app.editor.resumePending()).toBe(1);
    await w.app.editor.settle();
    expect(patches()).toBe(before + 1);
    const text = w.emu.message(post.channel_id, post.message_id!)!.content;
    expect(text).toBe(await w.app.postView.content(post));
    expect(text).toContain('**1**');

    // The dead process's PATCH was still on its way and Discord applies it now, over our newer edit:
    // the editor edits once more a while after a takeover, so the older text does not stay up.
    w.app.editor.lateEditMs = 1_000;
    await new Promise((r) => setTimeout(r, 1_300));
    const again = await pendingChange(`${spawnSync(process.execPath, ['-e', '']).pid}:killed-mid-edit`, 2);
    expect(await w.app.editor.resumePending()).toBe(1);
    await w.app.editor.settle();
    const current = w.emu.message(again.channel_id, again.message_id!)!.content;
    expect(current).toContain('**2**');
    // The late, older PATCH, as the dead process sent it: straight to Discord, not through this
    // process's budget (where it could queue behind the re-edit it is meant to precede).
    const deadProcess = createRest({ apiUrl: w.emu.api, token: w.emu.token });
    await deadProcess.patch(Routes.channelMessage(again.channel_id, again.message_id!), { body: { content: text } });
    expect(w.emu.message(again.channel_id, again.message_id!)!.content).toBe(text);
    await eventually(async () => {
      await w.app.editor.settle();
      expect(w.emu.message(again.channel_id, again.message_id!)!.content).toBe(current);
    }, 10_000);

    // The control case: a holder still running (this test's parent) keeps its lease; nothing is edited.
    await new Promise((r) => setTimeout(r, 1_300));
    await pendingChange(`${process.ppid}:alive`, 3);
    const now = patches();
    expect(await w.app.editor.resumePending()).toBe(1);
    await w.app.editor.settle();
    expect(patches()).toBe(now);
  });
});
