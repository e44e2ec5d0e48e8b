import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { UserError } from '../errors.js';
import type { Logger } from '../logger.js';
import { compareRoles, type GuildCache, type GuildRole } from './guilds.js';

export interface RankMapping {
  roleId: string;
  emoji: string;
}

export interface RankEmojiOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  guilds: GuildCache;
  /** Looks a custom emoji up in the guild (REST `GET /guilds/{id}/emojis/{id}`); null when the guild has none by that id. */
  findGuildEmoji: (guildId: string, emojiId: string) => Promise<GuildEmojiInfo | null>;
  /** The bot's own roles in the guild (REST, fresh), for emoji restricted to some roles; null when unknown. */
  botRoles?: (guildId: string) => Promise<readonly string[] | null>;
}

/** What the service needs of a guild emoji. @see https://discord.com/developers/docs/resources/emoji#emoji-object */
export interface GuildEmojiInfo {
  name: string | null;
  animated?: boolean;
  /** False when the server lost the boost level that unlocked it: it shows to nobody. */
  available?: boolean;
  /** Only members (and bots) with one of these roles may use it; empty = everyone. */
  roles?: readonly string[];
}

const CUSTOM_EMOJI = /^<(a?):([A-Za-z0-9_]{2,32}):(\d{17,20})>$/;
// Built at runtime: the `v` flag (Unicode sets, needed for RGI_Emoji) is newer than the compile target.
const UNICODE_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');

/** A single unicode emoji (fully qualified, so `❤` becomes `❤️`), or undefined. */
export function unicodeEmoji(input: string): string | undefined {
  const text = input.trim();
  if (UNICODE_EMOJI.test(text)) return text;
  const qualified = `${text}\uFE0F`;
  return UNICODE_EMOJI.test(qualified) ? qualified : undefined;
}

/**
 * The emoji of the highest mapped role among `memberRoles`, ordered like the server's role list
 * (position, then id). A mapped role rollcall has no position for ranks below every known role.
 */
export function pickRankEmoji(memberRoles: readonly string[], mappings: readonly RankMapping[], roles: readonly GuildRole[]): string | undefined {
  if (mappings.length === 0 || memberRoles.length === 0) return undefined;
  const held = new Set(memberRoles);
  const known = new Map(roles.map((r) => [r.id, r]));
  let best: GuildRole | undefined;
  let emoji: string | undefined;
  for (const m of mappings) {
    if (!held.has(m.roleId)) continue;
    const role = known.get(m.roleId) ?? { id: m.roleId, name: '', position: -1 };
    if (!best || compareRoles(role, best) < 0) {
      best = role;
      emoji = m.emoji;
    }
  }
  return emoji;
}

/**
 * Role → emoji mappings an admin sets with `/config rank`. Validation happens before anything is
 * stored: the role must be one the bot can see, the emoji a unicode emoji or a custom emoji of this
 * guild.
 */
export class RankEmojiService {
  constructor(private readonly deps: RankEmojiOptions) {}

  async list(guildId: string): Promise<RankMapping[]> {
    const rows = await this.deps.db.selectFrom('rank_emoji').select(['role_id', 'emoji']).where('guild_id', '=', guildId).execute();
    const mappings = rows.map((r) => ({ roleId: r.role_id, emoji: r.emoji }));
    if (mappings.length < 2) return mappings;
    const roles = new Map((await this.deps.guilds.roles(guildId)).map((r) => [r.id, r]));
    const position = (id: string) => roles.get(id) ?? { id, name: '', position: -1 };
    return mappings.sort((a, b) => compareRoles(position(a.roleId), position(b.roleId)));
  }

  /** Maps `roleId` to `emojiInput` (replacing an earlier mapping); returns the stored emoji. */
  async set(guildId: string, roleId: string, emojiInput: string): Promise<string> {
    await this.checkRole(guildId, roleId);
    const emoji = await this.checkEmoji(guildId, emojiInput);
    const now = this.deps.clock.now();
    await this.deps.db
      .insertInto('rank_emoji')
      .values({ guild_id: guildId, role_id: roleId, emoji, created_at: now })
      .onConflict((oc) => oc.columns(['guild_id', 'role_id']).doUpdateSet({ emoji, created_at: now }))
      .execute();
    return emoji;
  }

  async remove(guildId: string, roleId: string): Promise<void> {
    const result = await this.deps.db.deleteFrom('rank_emoji').where('guild_id', '=', guildId).where('role_id', '=', roleId).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) throw new UserError(`<@&${roleId}> has no rank emoji; nothing to remove.`);
  }

  private async checkRole(guildId: string, roleId: string): Promise<void> {
    if (roleId === guildId) throw new UserError('@everyone cannot have a rank emoji: every member has it. Pick a role.');
    const roles = await this.deps.guilds.roles(guildId);
    if (!roles.some((r) => r.id === roleId)) {
      throw new UserError(`I can't see the role <@&${roleId}> in this server, so I can't give it a rank emoji.`);
    }
  }

  private async checkEmoji(guildId: string, input: string): Promise<string> {
    const unicode = unicodeEmoji(input);
    if (unicode) return unicode;
    const custom = CUSTOM_EMOJI.exec(input.trim());
    if (!custom) {
      throw new UserError(`\`${input.slice(0, 60)}\` is not an emoji. Use one emoji, like 🎖️, or a custom emoji of this server.`);
    }
    const [, animated, name, id] = custom as unknown as [string, string, string, string];
    let found: Awaited<ReturnType<RankEmojiOptions['findGuildEmoji']>>;
    try {
      found = await this.deps.findGuildEmoji(guildId, id);
    } catch (error) {
      this.deps.log.warn({ err: error, guildId, emojiId: id }, 'could not check custom emoji');
      throw new UserError('I could not check that emoji with Discord just now. Try again in a minute.');
    }
    if (!found) throw new UserError(`${input.trim()} is not an emoji of this server, so I can't use it. Pick a unicode emoji or one of this server's emoji.`);
    const emoji = `<${(found.animated ?? animated === 'a') ? 'a' : ''}:${found.name ?? name}:${id}>`;
    if (found.available === false) {
      throw new UserError(`${emoji} is unavailable in this server right now (usually after losing a Server Boost level), so it would not show in the daily message. Pick another emoji.`);
    }
    if (found.roles && found.roles.length > 0) await this.checkEmojiRoles(guildId, emoji, found.roles);
    return emoji;
  }

  /** An emoji restricted to some roles shows only when the bot has one of them. */
  private async checkEmojiRoles(guildId: string, emoji: string, allowed: readonly string[]): Promise<void> {
    let mine: readonly string[] | null;
    try {
      mine = (await this.deps.botRoles?.(guildId)) ?? null;
    } catch (error) {
      this.deps.log.warn({ err: error, guildId }, "could not read the bot's roles");
      mine = null;
    }
    if (!mine) throw new UserError('I could not check that emoji with Discord just now. Try again in a minute.');
    if (!allowed.some((r) => mine.includes(r))) {
      const roles = allowed.map((r) => `<@&${r}>`).join(', ');
      throw new UserError(`${emoji} can only be used by ${roles}, and I have none of those roles, so I can't show it. Pick another emoji, or give me one of those roles first.`);
    }
  }
}
