import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REST } from '@discordjs/rest';
import Database from 'better-sqlite3';
import { Routes } from 'discord-api-types/v10';
import { commands } from '../../src/interactions/commands/index.js';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/sandbox/index.js';
import { slotsFor } from '../../src/shared/time/slots.js';
import { startBot, type BotProcess } from './bot.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A scratch folder for databases, removed at the end of the run. */
export function scratch(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-soak-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The emulator with rollcall's commands registered in the guild (what `npm run register` does). */
export async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator({ heartbeatIntervalMs: 1000, ...options });
  const rest = new REST({ api: emu.api, version: '10' }).setToken(emu.token);
  await rest.put(Routes.applicationGuildCommands(emu.applicationId, emu.fixture.guildId), { body: commands.map((c) => c.definition) });
  return emu;
}

/** An Etc/GMT zone where it is now mid-afternoon, so "today" does not change during a run. */
export function afternoonZone(now = Date.now()): string {
  const utcHour = new Date(now).getUTCHours();
  let offset = 14 - utcHour;
  if (offset > 12) offset -= 24;
  if (offset < -12) offset += 24;
  // Etc/GMT signs are inverted: Etc/GMT-2 is UTC+2.
  return offset === 0 ? 'Etc/UTC' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

/** An admin runs a /config subcommand; throws unless it answered. */
export async function config(emu: Emulator, sub: string, options: { name: string; value: string | number | boolean }[] = []): Promise<string> {
  const result = await emu.runCommand(emu.fixture.members.alice.id, 'config', [{ name: sub, options }]);
  if (result.error) throw new Error(`/config ${sub}: ${result.error}`);
  return (await result.final(15_000)).content;
}

/**
 * A database with the guild configured (channel #tonight, an afternoon zone, post time 03:00 — the
 * earliest after the default evening 16 → 2 — so the
 * message is due at once) and no daily message yet: the bot started once, configured over signed
 * interactions, stopped, and today's post it may have begun removed.
 */
export async function configuredDatabase(emu: Emulator, path: string, zone = afternoonZone()): Promise<number> {
  const spawned = Date.now();
  const bot = await startBot({ emu, databasePath: path });
  // Spawn → port open: where a kill "while it starts" is placed.
  const startMs = Date.now() - spawned;
  await waitFor(
    () =>
      fetch(`${bot.url}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    30_000,
    50,
  );
  try {
    await config(emu, 'timezone', [{ name: 'zone', value: zone }]);
    // Later than now first, so nothing is posted while this set-up runs.
    await config(emu, 'post-time', [{ name: 'time', value: '23:59' }]);
    await config(emu, 'channel', [{ name: 'channel', value: emu.fixture.channels.tonight }]);
    const answer = await config(emu, 'post-time', [{ name: 'time', value: '03:00' }]);
    if (!answer.includes('Daily message at: 03:00')) throw new Error(`/config post-time 03:00 was refused: ${answer}`);
  } finally {
    await bot.stop();
  }
  const db = new Database(path);
  db.exec('DELETE FROM availability; DELETE FROM message_edits; DELETE FROM daily_posts;');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return startMs;
}

export function copyDatabase(from: string, to: string): void {
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(from + suffix)) copyFileSync(from + suffix, to + suffix);
}

export interface PostRow {
  guild_id: string;
  date: string;
  channel_id: string;
  state: string;
  message_id: string | null;
  timezone: string;
  first_hour: number;
  last_hour: number;
}

/** The bot's daily_posts rows, read beside it (WAL allows a reader). */
export function postRows(path: string): PostRow[] {
  if (!existsSync(path)) return [];
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT * FROM daily_posts ORDER BY date').all() as PostRow[];
  } catch {
    return [];
  } finally {
    db.close();
  }
}

/** `PRAGMA integrity_check` (and foreign keys) of a database no process holds open. */
export function integrity(path: string): boolean {
  const db = new Database(path);
  try {
    const ok = (db.pragma('integrity_check') as { integrity_check: string }[]).every((r) => r.integrity_check === 'ok');
    const fk = (db.pragma('foreign_key_check') as unknown[]).length === 0;
    return ok && fk;
  } finally {
    db.close();
  }
}

export interface TextCheck {
  /** Votes in Discord's reactions the message does not show. */
  lost: number;
  /** Votes the message shows that no reaction backs. */
  phantom: number;
  /** Clock reactions of the bot missing on the message. */
  missingClocks: number;
  /** Every name shown is someone holding that reaction. */
  namesOk: boolean;
  /** The message's slot lines, one per expected slot. */
  linesOk: boolean;
}

/**
 * Compares the daily message's text with the emulator's ground truth: per slot, the members (not
 * the bot) holding that clock reaction. Counts must match and every name shown must be one of them.
 */
export function checkText(emu: Emulator, post: PostRow, nameOf: (userId: string) => string): TextCheck {
  const slots = slotsFor(post.date, post.timezone, post.first_hour, post.last_hour);
  const message = emu.message(post.channel_id, post.message_id!);
  const truth = emu.reactionUsers(post.channel_id, post.message_id!);
  const bot = emu.world.botUserId;
  const lines = (message?.content ?? '').split('\n');
  const result: TextCheck = { lost: 0, phantom: 0, missingClocks: 0, namesOk: true, linesOk: true };
  for (const slot of slots) {
    const holders = truth[slot.emoji] ?? [];
    if (!holders.includes(bot)) result.missingClocks += 1;
    // Bots' reactions are never votes (the fixture has another bot besides rollcall).
    const voters = holders.filter((id) => id !== bot && !emu.world.user(id).bot);
    const line = lines.find((l) => l.startsWith(slot.emoji));
    if (!line) {
      result.linesOk = false;
      result.lost += voters.length;
      continue;
    }
    const m = /— \*\*(\d+)\*\*(?:: (.*?))?(?: and (\d+) more)?(?: coming)?$/.exec(line);
    const shown = line.endsWith('— ·') ? 0 : m ? Number(m[1]) : Number.NaN;
    if (Number.isNaN(shown)) {
      result.linesOk = false;
      continue;
    }
    result.lost += Math.max(0, voters.length - shown);
    result.phantom += Math.max(0, shown - voters.length);
    const names = new Set(voters.map(nameOf));
    for (const name of m?.[2] ? m[2].split(', ') : []) if (!names.has(name)) result.namesOk = false;
  }
  return result;
}

/** What Discord shows as a member's name in the guild: nick, else global name, else username. */
export function displayNames(emu: Emulator): (userId: string) => string {
  return (id) => {
    const member = emu.world.member(emu.fixture.guildId, id);
    const user = emu.world.user(id);
    return member.nick ?? user.globalName ?? user.username;
  };
}

/** Polls `check` every `everyMs` until it returns true or the time is up; returns the ms it took (NaN: never). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 20): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) return Number.NaN;
    await sleep(everyMs);
  }
}

export type { BotProcess };
