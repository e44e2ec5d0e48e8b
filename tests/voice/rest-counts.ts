import type { World } from '../helpers/world.js';

/** Member fetches the bot made, from the emulator's per-route counters. */
export function memberFetches(w: World): number {
  return Object.entries(w.emu.counters.requests)
    .filter(([route]) => /^GET \/guilds\/[^/]+\/members\/[^/]+$/.test(route) && !route.endsWith('/search'))
    .reduce((sum, [, n]) => sum + n, 0);
}
