import { expect } from 'vitest';
import type { EmulatorOptions } from '../../src/sandbox/index.js';
import { eventually, startWorld, type World } from '../helpers/world.js';

/** The fixture members and channels the greeting tests use, by name. */
export interface GreetingWorld {
  w: World;
  guild: string;
  m: Record<string, string>;
  c: Record<'squadA' | 'squadB' | 'afk' | 'tonight', string>;
  /** `/config <sub>` as Alice (an admin); the reply's text. */
  admin(sub: string, options?: unknown[]): Promise<string>;
  /** Alice joins Squad A alone; once the bot has her stay, 11 s pass and a tick greets her (if the greeting is on). */
  greetAlice(): Promise<void>;
  /** Whether the bot is in a voice channel, as the emulator (Discord) sees it. */
  botInVoice(): boolean;
}

/**
 * The whole bot against the emulator at 18:00 in New York (Monday 23 November 2026), with today's
 * message posted in #tonight, the `votes` clicked on it, and the greeting's voice side attached.
 */
export async function startGreetingWorld(votes: readonly [member: string, emoji: string][], emulator?: EmulatorOptions): Promise<GreetingWorld> {
  const w = await startWorld({ now: '2026-11-23T23:00:00Z', ...(emulator ? { emulator } : {}) });
  const f = w.emu.fixture;
  const m = Object.fromEntries(Object.entries(f.members).map(([k, v]) => [k, v.id]));
  const c = f.channels as GreetingWorld['c'];
  const admin = async (sub: string, options: unknown[] = []) => String((await (await w.emu.runCommand(m.alice!, 'config', [{ name: sub, options } as never])).final()).content);
  expect(await admin('channel', [{ name: 'channel', value: c.tonight }])).toContain('✅');
  expect(await admin('post-now')).toContain('Posted');
  const daily = w.emu
    .messages(c.tonight)
    .filter((msg) => msg.author.id === w.emu.applicationId)
    .at(-1)!;
  for (const [member, emoji] of votes) await w.emu.react(m[member]!, c.tonight, daily.id, emoji);
  await eventually(async () => {
    await w.settle();
    return (await w.app.db.selectFrom('availability').select('user_id').execute()).length === votes.length;
  });
  await eventually(() => w.app.greeting.attached);
  const greetAlice = async () => {
    await w.emu.joinVoice(m.alice!, c.squadA);
    await eventually(async () => {
      await w.settle();
      return (await w.app.voice.currentStay(f.guildId, m.alice!))?.channelId === c.squadA;
    });
    w.clock.advance(11_000);
    await w.tick();
  };
  const botInVoice = () => w.emu.voiceStates().some((v) => v.user_id === w.emu.applicationId);
  return { w, guild: f.guildId, m, c, admin, greetAlice, botInVoice };
}
