/**
 * Request Guild Members (op 8) answered as one GUILD_MEMBERS_CHUNK: by user ids, or by a name prefix
 * (an empty query asking for everyone needs the GUILD_MEMBERS intent: the caller closes with 4014).
 * @see https://discord.com/developers/docs/events/gateway-events#request-guild-members
 * @see https://discord.com/developers/docs/events/gateway-events#guild-members-chunk
 */
import { memberJson } from '../state/serialize.js';
import type { World } from '../state/world.js';

/** Whether the request asks for every member (which needs the privileged intent). */
export const wantsAllMembers = (d: any): boolean => typeof d?.query === 'string' && d.query === '' && !d?.user_ids;

/** The chunk to send, or null when the guild is unknown (Discord sends nothing). */
export function membersChunk(world: World, d: any): Record<string, unknown> | null {
  const guild = world.guilds.get(String(d?.guild_id));
  if (!guild) return null;
  const limit = typeof d?.limit === 'number' && d.limit > 0 ? d.limit : Infinity;
  const ids: string[] = Array.isArray(d?.user_ids)
    ? d.user_ids.filter((id: unknown) => typeof id === 'string' && guild.members.has(id))
    : [...guild.members.values()]
        .filter((m) => {
          const q = String(d?.query ?? '').toLowerCase();
          const u = world.user(m.userId);
          return [u.username, u.globalName, m.nick].some((n) => n?.toLowerCase().startsWith(q));
        })
        .map((m) => m.userId)
        .slice(0, limit);
  const notFound = Array.isArray(d?.user_ids) ? d.user_ids.filter((id: unknown) => !ids.includes(id as string)) : undefined;
  return {
    guild_id: guild.id,
    members: ids.map((id) => memberJson(world, guild.id, id)),
    chunk_index: 0,
    chunk_count: 1,
    ...(notFound && notFound.length > 0 ? { not_found: notFound } : {}),
    ...(d?.nonce ? { nonce: d.nonce } : {}),
  };
}
