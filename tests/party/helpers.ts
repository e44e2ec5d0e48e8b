import type { World } from '../helpers/world.js';

/** A member runs a slash command through the emulator (signed, as Discord sends it); the reply's text. */
export async function run(w: World, userId: string, name: string, sub: string, options: { name: string; value: unknown }[] = []): Promise<string> {
  const r = await w.emu.runCommand(userId, name, [{ name: sub, options } as never]);
  return String((await r.final()).content);
}

/** The bot's messages in #tonight that are party alerts, oldest first. */
export const alerts = (w: World) => w.emu.messages(w.emu.fixture.channels.tonight).filter((m) => m.author.id === w.emu.applicationId && m.content.startsWith('🎉'));

/** The emulator's log lines of a rollcall DM refused for closed DMs. */
export const refusedDms = (w: World) => w.emu.events.filter((e) => e.kind === 'rest' && e.status === 403 && e.error?.code === 50007);
