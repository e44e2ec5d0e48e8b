import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { LruCache } from './lru.js';

export interface GuildRole {
  id: string;
  name: string;
  /** Higher is higher in the server's role list; ties are broken by id, as Discord does. */
  position: number;
}

export interface GuildChannel {
  id: string;
  name: string;
  type: number;
}

/** What rollcall keeps about a guild: its AFK channel, roles (for rank emoji) and channels. */
export interface GuildInfo {
  guildId: string;
  name: string;
  afkChannelId: string | null;
  roles: GuildRole[];
  channels: GuildChannel[];
}

export interface GuildCacheOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  /** Reads a guild's roles from REST when nothing is known about the guild (e.g. the HTTP-only process before any GUILD_CREATE). */
  fetchRoles?: (guildId: string) => Promise<GuildRole[]>;
  /** How long a guild stays in memory before it is re-read from SQLite (another process may have written it). */
  ttlMs?: number;
  maxGuilds?: number;
}

/**
 * Guild data from GUILD_CREATE and the role/channel/guild update events, in memory (TTL, LRU)
 * over the `guilds` table. The gateway keeps it fresh; REST is asked only for the roles of a guild
 * nothing is known about.
 * @see https://discord.com/developers/docs/events/gateway-events#guild-create
 */
export class GuildCache {
  private readonly memory: LruCache<GuildInfo>;

  constructor(private readonly deps: GuildCacheOptions) {
    this.memory = new LruCache({ max: deps.maxGuilds ?? 1_000, ttlMs: deps.ttlMs ?? 5 * 60_000, clock: deps.clock });
  }

  /** Stores everything about a guild (GUILD_CREATE). */
  async remember(info: GuildInfo): Promise<void> {
    const row = {
      guild_id: info.guildId,
      name: info.name,
      afk_channel_id: info.afkChannelId,
      roles: JSON.stringify(info.roles),
      channels: JSON.stringify(info.channels),
      updated_at: this.deps.clock.now(),
    };
    await this.deps.db
      .insertInto('guilds')
      .values(row)
      .onConflict((oc) => oc.column('guild_id').doUpdateSet({ name: row.name, afk_channel_id: row.afk_channel_id, roles: row.roles, channels: row.channels, updated_at: row.updated_at }))
      .execute();
    this.memory.set(info.guildId, structuredClone(info));
  }

  /** The guild as last seen, or undefined when rollcall has never seen it. */
  async get(guildId: string): Promise<GuildInfo | undefined> {
    const hit = this.memory.get(guildId);
    if (hit) return hit;
    const row = await this.deps.db.selectFrom('guilds').selectAll().where('guild_id', '=', guildId).executeTakeFirst();
    if (!row) return undefined;
    const info: GuildInfo = {
      guildId,
      name: row.name,
      afkChannelId: row.afk_channel_id,
      roles: parseArray<GuildRole>(row.roles),
      channels: parseArray<GuildChannel>(row.channels),
    };
    this.memory.set(guildId, info);
    return info;
  }

  async afkChannelId(guildId: string): Promise<string | null> {
    return (await this.get(guildId))?.afkChannelId ?? null;
  }

  /**
   * The guild's roles; from REST (and then remembered) when the guild was never seen. An empty
   * list when even REST cannot tell (the bot is not in the guild).
   */
  async roles(guildId: string): Promise<GuildRole[]> {
    const known = await this.get(guildId);
    if (known && known.roles.length > 0) return known.roles;
    if (!this.deps.fetchRoles) return known?.roles ?? [];
    try {
      const roles = await this.deps.fetchRoles(guildId);
      await this.patch(guildId, (g) => ({ ...g, roles }));
      return roles;
    } catch (error) {
      this.deps.log.warn({ err: error, guildId }, 'could not read guild roles');
      return known?.roles ?? [];
    }
  }

  /** GUILD_UPDATE: name, AFK channel and roles. */
  async update(guildId: string, change: Partial<Omit<GuildInfo, 'guildId' | 'channels'>>): Promise<void> {
    await this.patch(guildId, (g) => ({ ...g, ...change }));
  }

  /** GUILD_ROLE_CREATE / GUILD_ROLE_UPDATE. */
  async putRole(guildId: string, role: GuildRole): Promise<void> {
    await this.patch(guildId, (g) => ({ ...g, roles: [...g.roles.filter((r) => r.id !== role.id), role] }));
  }

  /** GUILD_ROLE_DELETE. */
  async deleteRole(guildId: string, roleId: string): Promise<void> {
    await this.patch(guildId, (g) => ({ ...g, roles: g.roles.filter((r) => r.id !== roleId) }));
  }

  /** CHANNEL_CREATE / CHANNEL_UPDATE. */
  async putChannel(guildId: string, channel: GuildChannel): Promise<void> {
    await this.patch(guildId, (g) => ({ ...g, channels: [...g.channels.filter((c) => c.id !== channel.id), channel] }));
  }

  /** CHANNEL_DELETE; a deleted AFK channel is no longer the AFK channel. */
  async deleteChannel(guildId: string, channelId: string): Promise<void> {
    await this.patch(guildId, (g) => ({
      ...g,
      channels: g.channels.filter((c) => c.id !== channelId),
      afkChannelId: g.afkChannelId === channelId ? null : g.afkChannelId,
    }));
  }

  private async patch(guildId: string, change: (g: GuildInfo) => GuildInfo): Promise<void> {
    const current = (await this.get(guildId)) ?? { guildId, name: '', afkChannelId: null, roles: [], channels: [] };
    await this.remember(change(current));
  }
}

function parseArray<T>(text: string): T[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? (value as T[]) : [];
  } catch {
    return [];
  }
}

/** Orders roles the way Discord's role list does: higher position first, then lower id first. */
export function compareRoles(a: GuildRole, b: GuildRole): number {
  if (a.position !== b.position) return b.position - a.position;
  return a.id.length !== b.id.length ? a.id.length - b.id.length : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
