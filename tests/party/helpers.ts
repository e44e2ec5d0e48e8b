import { eventually, type World } from '../helpers/world.js';

const HOUR_OF: Record<string, number> = { '🕗': 20, '🕘': 21, '🕙': 22, '🕚': 23 };

/** A member runs a slash command through the emulator (signed, as Discord sends it); the reply's text. */
export async function run(w: World, userId: string, name: string, sub: string, options: { name: string; value: unknown }[] = []): Promise<string> {
  const r = await w.emu.runCommand(userId, name, [{ name: sub, options } as never]);
  return String((await r.final()).content);
}

/** The bot's messages in #tonight that are party alerts, oldest first. */
export const alerts = (w: World) => w.emu.messages(w.emu.fixture.channels.tonight).filter((m) => m.author.id === w.emu.applicationId && m.content.startsWith('🎉'));

/** The emulator's log lines of a rollcall DM refused for closed DMs. */
export const refusedDms = (w: World) => w.emu.events.filter((e) => e.kind === 'rest' && e.status === 403 && e.error?.code === 50007);

/** Waits until the bot has counted a member's click (`reaction`) or un-click (`out`) of `emoji`'s hour, and the party check it set off. */
async function counted(w: World, userId: string, emoji: string, declared: 'reaction' | 'out'): Promise<void> {
  await eventually(async () => {
    const row = await w.app.db.selectFrom('availability').select('declared').where('user_id', '=', userId).where('hour', '=', HOUR_OF[emoji]!).orderBy('date', 'desc').executeTakeFirst();
    return row?.declared === declared;
  });
  // The message's edit goes on in the background (tests settle when they read it).
  await w.app.partyAlerts.idle();
}

/** A member clicks a clock on a message in #tonight (the reaction travels over the gateway: `settle` alone can run before it arrives). */
export async function click(w: World, userId: string, messageId: string, emoji: string): Promise<void> {
  await w.emu.react(userId, w.emu.fixture.channels.tonight, messageId, emoji);
  await counted(w, userId, emoji, 'reaction');
}

/** A member takes a clock back. */
export async function unclick(w: World, userId: string, messageId: string, emoji: string): Promise<void> {
  await w.emu.unreact(userId, w.emu.fixture.channels.tonight, messageId, emoji);
  await counted(w, userId, emoji, 'out');
}
