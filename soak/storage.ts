/**
 * Scenario 5: the database on a full disk, then a read-only database file. The bot runs; then every write it makes to a file fails
 * (`prlimit --fsize`: the kernel answers EFBIG past the limit, as a full disk answers ENOSPC — no
 * loop mount needed). Members use commands and vote meanwhile. Expected: a clear ephemeral error, one
 * log line for the outage, the bot alive; once space returns, writes work again, nothing committed
 * before is lost and `PRAGMA integrity_check` is ok. Then the files are made read-only with
 * `chattr +i` (immutable: even root cannot write them, through descriptors already open too, which
 * file modes would not stop): the same clear answer, and writes work again once it is lifted.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Emulator } from '../src/sandbox/index.js';
import { startBot } from './lib/bot.js';
import type { Rng } from './lib/rng.js';
import { checkText, configuredDatabase, displayNames, emulator, integrity, postRows, sleep, waitFor } from './lib/world.js';

export interface StorageResult {
  refusedWithClearError: number;
  commandsDuringOutage: number;
  logLines: number;
  botAlive: boolean;
  recovered: boolean;
  committedKept: boolean;
  integrityOk: boolean;
  /** Read-only file: `/config` answered the clear error / asked; null when `chattr` is not available here. */
  readOnlyRefused: number | null;
  readOnlyCommands: number;
  readOnlyRecovered: boolean | null;
  /** Votes cast while the disk was full that the message shows once it is not. */
  outageVotesShown: number;
  outageVotes: number;
  ok: boolean;
}

async function run(emu: Emulator, sub: string, options: { name: string; value: string }[]): Promise<string> {
  const r = await emu.runCommand(emu.fixture.members.alice.id, 'config', [{ name: sub, options }]);
  if (r.error) return `ERROR ${r.error}`;
  return (await r.final(15_000)).content;
}

function snapshot(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    const config = db.prepare('SELECT guild_id, channel_id, timezone, post_time FROM guild_config ORDER BY guild_id').all();
    const posts = db.prepare('SELECT guild_id, date, message_id, state FROM daily_posts ORDER BY date').all();
    const votes = db.prepare("SELECT user_id, hour, declared FROM availability WHERE declared = 'reaction' ORDER BY user_id, hour").all();
    return JSON.stringify({ config, posts, votes });
  } finally {
    db.close();
  }
}

export async function runStorage(o: { dir: string; rng: Rng; progress: (m: string) => void }): Promise<StorageResult> {
  const emu = await emulator();
  const path = `${o.dir}/storage.sqlite`;
  await configuredDatabase(emu, path);
  const bot = await startBot({ emu, databasePath: path, waitReady: true });
  try {
    if (Number.isNaN(await waitFor(() => postRows(path)[0]?.state === 'reacted', 30_000, 100))) throw new Error('the daily message was never posted');
    const post = postRows(path)[0]!;
    const names = displayNames(emu);
    const emoji = Object.keys(emu.reactionUsers(post.channel_id, post.message_id!));
    const members = Object.values(emu.fixture.members)
      .filter((m) => !m.bot)
      .map((m) => m.id);
    // Committed before the disk fills: a setting and two votes, shown in the message.
    if (!(await run(emu, 'post-time', [{ name: 'time', value: '03:05' }])).includes('03:05')) throw new Error('could not set the post time before the outage');
    await emu.react(members[0]!, post.channel_id, post.message_id!, emoji[0]!);
    await emu.react(members[1]!, post.channel_id, post.message_id!, emoji[1]!);
    await waitFor(() => checkText(emu, post, names).lost === 0, 15_000, 50);
    await sleep(1500);
    const before = snapshot(path);
    const linesBefore = bot.lines(/cannot be written/).length;

    // The disk is full: every write past one byte fails.
    execFileSync('prlimit', ['--pid', String(bot.pid), '--fsize=1:unlimited']);
    o.progress('storage: disk full (prlimit --fsize=1:unlimited, soft limit)');
    let refused = 0;
    const times = ['06:00', '06:30', '07:00', '07:30', '08:00'];
    for (const time of times) {
      const text = await run(emu, 'post-time', [{ name: 'time', value: time }]);
      if (/can't save anything right now/.test(text)) refused += 1;
      else o.progress(`storage: /config post-time during the outage answered: ${text.slice(0, 200)}`);
    }
    // Votes while it cannot store them.
    const outageVoters = [members[2]!, members[3]!];
    for (const [i, user] of outageVoters.entries()) await emu.react(user, post.channel_id, post.message_id!, emoji[2 + i]!);
    await sleep(3000);
    const logLines = bot.lines(/cannot be written/).length - linesBefore;
    const botAlive =
      !bot.exited() &&
      (await fetch(`${bot.url}/healthz`).then(
        (r) => r.status > 0,
        () => false,
      ));

    // Space returns.
    execFileSync('prlimit', ['--pid', String(bot.pid), '--fsize=unlimited:unlimited']);
    o.progress('storage: space back');
    const after = await run(emu, 'post-time', [{ name: 'time', value: '03:10' }]);
    const recovered = after.includes('03:10');
    // Give a repair the time it needs to pick up the votes cast during the outage.
    // The bot notices at its next heartbeat (every 30 s) and re-reads the reactions then.
    await waitFor(() => checkText(emu, post, names).lost === 0, 45_000, 100);
    const check = checkText(emu, post, names);
    const outageVotesShown = outageVoters.length - Math.min(outageVoters.length, check.lost);

    // A read-only database file: immutable, so neither new nor already-open descriptors can write.
    const files = [path, `${path}-wal`, `${path}-shm`].filter((f) => existsSync(f));
    const readOnlyTimes = ['09:00', '09:30'];
    let readOnlyRefused: number | null = null;
    let readOnlyRecovered: boolean | null = null;
    let finalTime = '03:10';
    if (spawnSync('chattr', ['+i', ...files]).status === 0) {
      o.progress('storage: database files read-only (chattr +i)');
      readOnlyRefused = 0;
      try {
        for (const time of readOnlyTimes) {
          const text = await run(emu, 'post-time', [{ name: 'time', value: time }]);
          if (/can't save anything right now/.test(text)) readOnlyRefused += 1;
          else o.progress(`storage: /config post-time on a read-only file answered: ${text.slice(0, 200)}`);
        }
      } finally {
        execFileSync('chattr', ['-i', ...files]);
      }
      o.progress('storage: writable again');
      finalTime = '03:15';
      readOnlyRecovered = (await run(emu, 'post-time', [{ name: 'time', value: finalTime }])).includes(finalTime);
    } else {
      o.progress('storage: chattr not available here, the read-only file is not tried');
    }
    await bot.stop();
    const now = JSON.parse(snapshot(path)) as { config: { post_time: string }[]; posts: unknown[]; votes: { user_id: string; hour: number }[] };
    const was = JSON.parse(before) as typeof now;
    const committedKept =
      JSON.stringify(now.posts) === JSON.stringify(was.posts) && was.votes.every((v) => now.votes.some((n) => n.user_id === v.user_id && n.hour === v.hour)) && now.config[0]?.post_time === finalTime;
    const integrityOk = integrity(path);
    const result = {
      refusedWithClearError: refused,
      commandsDuringOutage: times.length,
      logLines,
      botAlive,
      recovered,
      committedKept,
      integrityOk,
      outageVotes: outageVoters.length,
      outageVotesShown,
      readOnlyRefused,
      readOnlyCommands: readOnlyTimes.length,
      readOnlyRecovered,
    };
    const readOnlyOk = readOnlyRefused === null || (readOnlyRefused === readOnlyTimes.length && readOnlyRecovered === true);
    return { ...result, ok: refused === times.length && logLines === 1 && botAlive && recovered && committedKept && integrityOk && outageVotesShown === outageVoters.length && readOnlyOk };
  } finally {
    await bot.kill9();
    await emu.close();
  }
}
