import { sql } from 'kysely';
import { expect } from 'vitest';
import type { EmulatedMessage } from '../../src/sandbox/index.js';
import { tablesOf } from '../helpers/engine.js';
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
 * intervals hold no user id; they are found through the stays they belong to (`stayIds`). On either
 * engine.
 */
export async function rowsMentioning(w: World, userId: string, stayIds: readonly number[] = []): Promise<Record<string, number>> {
  const db = w.app.db;
  const found: Record<string, number> = {};
  for (const [name, columns] of await tablesOf(db)) {
    const where = sql.join(
      columns.map((c) => sql`cast(${sql.ref(c)} as text) like ${`%${userId}%`}`),
      sql` or `,
    );
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(name)} where ${where}`.execute(db);
    const n = Number(rows[0]!.n);
    if (n > 0) found[name] = n;
  }
  if (stayIds.length) {
    const { n } = await db
      .selectFrom('voice_flag_intervals')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('stay_id', 'in', stayIds)
      .executeTakeFirstOrThrow();
    if (Number(n) > 0) found.voice_flag_intervals = Number(n);
  }
  return found;
}

/** Tables with a `user_id` column, as the erase test enumerates them. */
export async function userTables(w: World): Promise<string[]> {
  return [...(await tablesOf(w.app.db))].filter(([, columns]) => columns.includes('user_id')).map(([name]) => name);
}
