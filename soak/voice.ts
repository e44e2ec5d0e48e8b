/**
 * Scenario 4: voice under faults. Members join, move and leave two voice channels while the gateway
 * drops (resumable, then not) and the bot is killed -9 and started again an hour later on its own
 * clock (`CLOCK_START`: the restarted process's clock runs an hour ahead of the emulator's), after a
 * few seconds of real downtime while members keep moving. Checked
 * against the emulator's ground truth of voice stays: no voice time counted while the bot was not
 * running; stays open at the kill closed at or before it (at the bot's last heartbeat, at most one
 * heartbeat earlier); each member's total equal to the true time in voice while the bot ran, within
 * one heartbeat (30 s) plus the length of a non-resumed reconnect gap.
 * Durations compare across the jump (both clocks run at the same speed); the downtime, in the bot's
 * time, runs from the kill to the restarted clock's start.
 */
import Database from 'better-sqlite3';
import { generateMembers } from '../src/sandbox/index.js';
import { HEARTBEAT_INTERVAL_MS } from '../src/shared/services/heartbeat.js';
import { startBot, type BotProcess } from './lib/bot.js';
import type { Rng } from './lib/rng.js';
import { emulator, integrity, sleep } from './lib/world.js';

const MEMBERS = 12;
/** How far ahead of the first run's clock the restarted bot's clock starts. */
const CLOCK_JUMP_MS = 3_600_000;

export interface VoiceResult {
  members: number;
  moves: number;
  drops: { resumable: number; newSession: number };
  downtimeMs: number;
  /** Voice time the bot counted inside the window its process was not running. */
  downtimeCountedMs: number;
  /** Stays open at the kill that the bot closed later than the kill or more than a heartbeat before it. */
  badClosures: number;
  openAtKill: number;
  /** Σ over members of |bot total − true time in voice while the bot ran|. */
  voiceMsError: number;
  /** The largest single member's error, and what it may be. */
  worstMemberErrorMs: number;
  allowedMemberErrorMs: number;
  integrityOk: boolean;
  ok: boolean;
}

interface Interval {
  from: number;
  to: number;
}

const overlap = (a: Interval, b: Interval) => Math.max(0, Math.min(a.to, b.to) - Math.max(a.from, b.from));

export async function runVoice(o: { dir: string; rng: Rng; seconds: number; downtimeS: number; progress: (m: string) => void }): Promise<VoiceResult> {
  const emu = await emulator({ fixture: { extraMembers: generateMembers(MEMBERS) } });
  const path = `${o.dir}/voice.sqlite`;
  const channels = [emu.fixture.channels.squadA, emu.fixture.channels.squadB];
  const members = Object.entries(emu.fixture.members)
    .filter(([k]) => k.startsWith('member'))
    .map(([, m]) => m.id);
  let bot: BotProcess = await startBot({ emu, databasePath: path, waitReady: true });
  const up: Interval[] = [];
  let upFrom = Date.now();
  let moves = 0;
  const drops = { resumable: 0, newSession: 0 };
  let kill: { at: number; spawnedAt: number; clockStart: number } | undefined;
  try {
    const end = Date.now() + o.seconds * 1000;
    const acting = Promise.all(
      members.map(async (user, i) => {
        const r = o.rng.fork(`member-${i}`);
        while (Date.now() < end) {
          await sleep(r.int(800, 4000));
          if (Date.now() >= end) break;
          const inVoice = emu.voiceStates().some((v) => v.user_id === user);
          if (inVoice && r.chance(0.35)) await emu.leaveVoice(user);
          else await emu.joinVoice(user, r.pick(channels)!);
          moves += 1;
        }
      }),
    );
    const faults = (async () => {
      await sleep(o.seconds * 200);
      emu.dropGateway({ resumable: true });
      drops.resumable += 1;
      await sleep(o.seconds * 200);
      emu.dropGateway({ resumable: false });
      drops.newSession += 1;
      await sleep(o.seconds * 200);
      const at = Date.now();
      await bot.kill9();
      up.push({ from: upFrom, to: at });
      o.progress(`voice: bot killed, down for ${o.downtimeS} s while members keep moving`);
      await sleep(o.downtimeS * 1000);
      const spawnedAt = Date.now();
      const clockStart = spawnedAt + CLOCK_JUMP_MS;
      kill = { at, spawnedAt, clockStart };
      bot = await startBot({ emu, databasePath: path, waitReady: true, extraEnv: { CLOCK_START: new Date(clockStart).toISOString() } });
      upFrom = spawnedAt;
    })();
    await Promise.all([acting, faults]);
    await sleep(1500);
    const stopAt = Date.now();
    // SIGTERM closes the stays still open at now, as a deploy would.
    await bot.stop();
    up.push({ from: upFrom, to: stopAt });

    const db = new Database(path, { readonly: true });
    const stays = db.prepare('SELECT user_id, channel_id, started_at, ended_at, end_estimated FROM voice_stays WHERE afk = 0').all() as {
      user_id: string;
      started_at: number;
      ended_at: number | null;
      end_estimated: number;
    }[];
    db.close();
    const truth = emu.voiceHistory().map((s) => ({ ...s, to: s.to ?? stopAt }));
    // In the bot's time: from the kill to the moment the restarted bot's clock began.
    const downtime: Interval = { from: kill!.at, to: kill!.clockStart };
    let downtimeCountedMs = 0;
    let badClosures = 0;
    let openAtKill = 0;
    let voiceMsError = 0;
    let worst = 0;
    const allowed = HEARTBEAT_INTERVAL_MS + 2000 * drops.newSession + 1000;
    for (const user of members) {
      const mine = stays.filter((s) => s.user_id === user).map((s) => ({ from: s.started_at, to: s.ended_at ?? stopAt + CLOCK_JUMP_MS, estimated: s.end_estimated === 1 }));
      downtimeCountedMs += mine.reduce((n, s) => n + overlap(s, downtime), 0);
      // A stay spanning the kill would count the downtime; a member in voice at the kill must have a
      // stay closed at the outage start: at or before the kill, at most one heartbeat (+1 s) earlier.
      badClosures += mine.filter((s) => s.from < kill!.at && s.to > kill!.at).length;
      const inVoiceAtKill = truth.some((t) => t.userId === user && t.from < kill!.at && t.to > kill!.at);
      if (inVoiceAtKill) {
        openAtKill += 1;
        const last = mine.filter((s) => s.from < kill!.at).sort((a, b) => b.to - a.to)[0];
        if (!last || last.to < kill!.at - HEARTBEAT_INTERVAL_MS - 1000) badClosures += 1;
      }
      const botTotal = mine.reduce((n, s) => n + (s.to - s.from), 0);
      const trueTotal = truth.filter((t) => t.userId === user).reduce((n, t) => n + up.reduce((m, u) => m + overlap(t, u), 0), 0);
      const error = Math.abs(botTotal - trueTotal);
      voiceMsError += error;
      worst = Math.max(worst, error);
    }
    const integrityOk = integrity(path);
    return {
      members: members.length,
      moves,
      drops,
      downtimeMs: downtime.to - downtime.from,
      downtimeCountedMs,
      badClosures,
      openAtKill,
      voiceMsError,
      worstMemberErrorMs: worst,
      allowedMemberErrorMs: allowed,
      integrityOk,
      ok: downtimeCountedMs === 0 && badClosures === 0 && worst <= allowed && integrityOk,
    };
  } finally {
    await bot.kill9();
    await emu.close();
  }
}
