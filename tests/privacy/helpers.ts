import { expect } from 'vitest';
import type { EmulatedMessage } from '../../src/sandbox/index.js';
import type { World } from '../helpers/world.js';

export type Who = 'alice' | 'bob' | 'carol' | 'dan' | 'erin' | 'frank';
export const idsOf = (w: World) => Object.fromEntries(Object.entries(w.emu.fixture.members).map(([k, v]) => [k, v.id])) as Record<Who, string>;
export const channelsOf = (w: World) => w.emu.fixture.channels as Record<'squadA' | 'squadB' | 'afk' | 'tonight', string>;

/** Runs `/privacy <sub>` as `userId` and returns the final (ephemeral) message. */
export async function privacy(w: World, userId: string, sub: string, options: { name: string; value: string | number }[] = []): Promise<EmulatedMessage> {
  const result = await w.emu.runCommand(userId, 'privacy', [{ name: sub, options } as never]);
  const message = await result.final(20_000);
  expect(message.ephemeral_for).toBe(userId);
  return message;
}

export async function config(w: World, userId: string, sub: string, options: { name: string; value: string | number }[] = []): Promise<string> {
  const result = await w.emu.runCommand(userId, 'config', [{ name: sub, options } as never]);
  return (await result.final(20_000)).content;
}

/** The buttons of a message by their `custom_id` key. */
export function button(message: EmulatedMessage, key: string): string {
  const all = (message.components ?? []).flatMap((row) => (row as { components: { custom_id?: string }[] }).components);
  const found = all.find((c) => c.custom_id?.startsWith(`${key}:`));
  if (!found?.custom_id) throw new Error(`no ${key} button on: ${message.content}`);
  return found.custom_id;
}

export async function press(w: World, userId: string, message: EmulatedMessage, key: string): Promise<EmulatedMessage> {
  return (await w.emu.pressButton(userId, message.id, button(message, key))).final(20_000);
}

/**
 * Every row anywhere in the database that mentions `userId`: every column of every table is
 * searched (ids inside JSON included), so a table added later cannot be forgotten. Voice flag
 * intervals hold no user id; they are found through the stays they belong to (`stayIds`).
 */
export function rowsMentioning(w: World, userId: string, stayIds: readonly number[] = []): Record<string, number> {
  const sqlite = w.app.sqlite;
  const found: Record<string, number> = {};
  const tables = sqlite.prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'").all() as { name: string }[];
  for (const { name } of tables) {
    const columns = (sqlite.prepare(`select name from pragma_table_info(?)`).all(name) as { name: string }[]).map((c) => c.name);
    const where = columns.map((c) => `instr(cast("${c}" as text), @id) > 0`).join(' or ');
    const n = (sqlite.prepare(`select count(*) as n from "${name}" where ${where}`).get({ id: userId }) as { n: number }).n;
    if (n > 0) found[name] = n;
  }
  if (stayIds.length) {
    const n = (sqlite.prepare(`select count(*) as n from voice_flag_intervals where stay_id in (${stayIds.map(() => '?').join(',')})`).get(...stayIds) as { n: number }).n;
    if (n > 0) found.voice_flag_intervals = n;
  }
  return found;
}

/** Tables with a `user_id` column, as the erase test enumerates them. */
export function userTables(w: World): string[] {
  return (
    w.app.sqlite.prepare("select m.name as name from sqlite_master m where m.type = 'table' and exists (select 1 from pragma_table_info(m.name) c where c.name = 'user_id') order by m.name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);
}
