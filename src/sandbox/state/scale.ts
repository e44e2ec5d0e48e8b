/**
 * Big guilds for benchmarks: `startEmulator({ scale: { members: 10_000, channels: 500, voice: 200,
 * guilds: 3 } })`, or `npm run emulator -- --members 10000 --channels 500 --voice 200 --guilds 3`.
 *
 * The fixture guild ("Night Owls") is grown to `members` members and `channels` channels, with two
 * dozen roles and forty custom emojis as a community server has; `voice` of its generated members
 * sit in voice when the emulator starts. Each further guild (`guilds` − 1 of them) is generated
 * whole at the same size, with the bot in it.
 *
 * Members and their users are made on demand from their index (a {@link LazyMap}), so a 10 000-member
 * guild costs the emulator only the members something looked at: GUILD_CREATE carries the bot and
 * those in voice (no GUILD_MEMBERS intent), REST resolves any one of them, lists walk them all.
 */
import { ChannelType } from 'discord-api-types/v10';
import type { FixtureInput } from '../fixture.js';
import { DISCORD_EPOCH, snowflakeAt, snowflakeTime } from '../snowflake.js';
import { voiceSessionId } from './seed.js';
import type { ChannelRecord, GuildRecord, MemberRecord, RoleRecord, UserRecord, World } from './world.js';

/** How big the emulated guilds are. Every field is optional; see {@link resolveScale} for defaults. */
export interface GuildScale {
  /** Members per guild, the bot and the fixture's people included (member_count). */
  members?: number;
  /** Channels per guild, categories included. */
  channels?: number;
  /** Members of each guild in voice when the emulator starts. */
  voice?: number;
  /** Guilds the bot is in: the fixture guild plus generated ones. Default 1. */
  guilds?: number;
}

export const SCALE_LIMITS = { members: 250_000, channels: 500, voice: 5_000, guilds: 50 } as const;

/** Custom roles and emojis a generated guild carries (a community server's usual handful). */
const GENERATED_ROLES = 24;
const GENERATED_EMOJIS = 40;
/** One category per this many channels; one channel in five is a voice channel. */
const CHANNELS_PER_CATEGORY = 10;
const VOICE_EVERY = 5;

/** Generated member n of guild g has the snowflake minted at BASE + (g × STRIDE + n) × STEP ms. */
const MEMBER_BASE_MS = Date.UTC(2024, 0, 1);
const MEMBER_STEP_MS = 100;
const MEMBER_STRIDE = 1_000_000;
/** Generated guilds, channels, roles and emojis: minted one second apart from here. */
const THING_BASE_MS = Date.UTC(2023, 8, 1);

export interface ResolvedScale {
  members: number;
  channels: number;
  voice: number;
  guilds: number;
}

/** Fills in defaults (the fixture's own size) and checks the limits. Throws a readable Error. */
export function resolveScale(scale: GuildScale, input: FixtureInput): ResolvedScale {
  const fixtureMembers = input.members.length + input.extraMembers.length;
  const s = {
    members: scale.members ?? fixtureMembers,
    channels: scale.channels ?? input.channels.length,
    voice: scale.voice ?? 0,
    guilds: scale.guilds ?? 1,
  };
  for (const [key, value] of Object.entries(s) as [keyof ResolvedScale, number][]) {
    if (!Number.isInteger(value) || value < 0 || value > SCALE_LIMITS[key]) throw new Error(`scale.${key} must be an integer from 0 to ${SCALE_LIMITS[key]} (got ${value})`);
  }
  if (s.guilds < 1) throw new Error('scale.guilds must be at least 1');
  if (s.members < fixtureMembers) throw new Error(`scale.members must be at least the fixture's ${fixtureMembers} members`);
  if (s.channels < input.channels.length) throw new Error(`scale.channels must be at least the fixture's ${input.channels.length} channels`);
  if (s.voice > s.members - fixtureMembers) throw new Error(`scale.voice (${s.voice}) must not exceed the generated members (${s.members - fixtureMembers})`);
  return s;
}

/** Every shard count from 1 to 16 divides this, so guild ids spaced by it share their shards. */
const SHARD_CYCLE = 720_720n;

/**
 * Generated guild `g`'s id: minted so that `(id >> 22) % n` is the fixture guild's shard plus `g`
 * (mod n) for any shard count n up to 16, so N guilds spread round-robin over the shards as a
 * sharding test wants (`(guild_id >> 22) % shard_count`), whatever the fixture guild's id.
 */
function generatedGuildId(fixtureGuildId: string, g: number): string {
  const base = BigInt(THING_BASE_MS) - DISCORD_EPOCH;
  const wanted = ((BigInt(fixtureGuildId) >> 22n) + BigInt(g)) % SHARD_CYCLE;
  return snowflakeAt(Number(base - (base % SHARD_CYCLE) + wanted + DISCORD_EPOCH), g % 4096, 4, 0);
}

/** The id of generated member `n` (0-based) of guild number `g` (0 = the fixture guild). */
export function generatedMemberId(g: number, n: number): string {
  return snowflakeAt(MEMBER_BASE_MS + (g * MEMBER_STRIDE + n) * MEMBER_STEP_MS, n % 4096, 2, g % 32);
}

/** The inverse of {@link generatedMemberId}, or undefined for any other id. */
function parseGeneratedId(id: string): { g: number; n: number } | undefined {
  if (!/^\d{17,20}$/.test(id)) return undefined;
  const offset = snowflakeTime(id) - MEMBER_BASE_MS;
  if (offset < 0 || offset % MEMBER_STEP_MS !== 0) return undefined;
  const k = offset / MEMBER_STEP_MS;
  const g = Math.floor(k / MEMBER_STRIDE);
  const n = k % MEMBER_STRIDE;
  return generatedMemberId(g, n) === id ? { g, n } : undefined;
}

/** What a lazy map draws its generated entries from. */
export interface LazySource<V> {
  /** How many ids the source generates. */
  readonly size: number;
  /** Every generated id, in a stable order. */
  ids(): IterableIterator<string>;
  /** Whether `id` is one of the generated ids. */
  includes(id: string): boolean;
  /** The entry for a generated id (only called when {@link includes} says it is one). */
  make(id: string): V;
}

/**
 * A Map whose entries partly come from a {@link LazySource}: a generated entry is made when first
 * read with `get` and kept from then on (so changes to it stick); iteration makes the others on the
 * fly without keeping them. `set` and `delete` work as on any Map.
 */
export class LazyMap<V> extends Map<string, V> {
  readonly #source: LazySource<V>;
  /** Generated ids deleted since. */
  readonly #deleted = new Set<string>();
  /** Entries held in the Map itself that are not generated ids. */
  #own = 0;

  constructor(source: LazySource<V>) {
    super();
    this.#source = source;
  }

  #generated(key: string): boolean {
    return !this.#deleted.has(key) && this.#source.includes(key);
  }

  override get(key: string): V | undefined {
    const held = super.get(key);
    if (held !== undefined || super.has(key)) return held;
    if (!this.#generated(key)) return undefined;
    const made = this.#source.make(key);
    super.set(key, made);
    return made;
  }

  override has(key: string): boolean {
    return super.has(key) || this.#generated(key);
  }

  override set(key: string, value: V): this {
    const isGenerated = this.#source.includes(key);
    if (isGenerated) this.#deleted.delete(key);
    else if (!super.has(key)) this.#own += 1;
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    const isGenerated = this.#source.includes(key);
    if (isGenerated) {
      if (this.#deleted.has(key)) return false;
      this.#deleted.add(key);
      super.delete(key);
      return true;
    }
    const existed = super.delete(key);
    if (existed) this.#own -= 1;
    return existed;
  }

  override clear(): void {
    for (const id of this.#source.ids()) this.#deleted.add(id);
    super.clear();
    this.#own = 0;
  }

  override get size(): number {
    return this.#source.size - this.#deleted.size + this.#own;
  }

  override *entries(): MapIterator<[string, V]> {
    for (const id of this.#source.ids()) {
      if (this.#deleted.has(id)) continue;
      yield [id, super.get(id) ?? this.#source.make(id)];
    }
    for (const [id, value] of super.entries()) if (!this.#source.includes(id)) yield [id, value];
  }

  override *keys(): MapIterator<string> {
    for (const [id] of this.entries()) yield id;
  }

  override *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  override [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  override forEach(callback: (value: V, key: string, map: Map<string, V>) => void, thisArg?: unknown): void {
    for (const [id, value] of this.entries()) callback.call(thisArg, value, id, this);
  }
}

/** Generated guilds' layout, for tests and benchmarks that act as their members. */
export interface ScaledGuild {
  id: string;
  /** Generated members of this guild (the fixture guild's people are not counted). */
  generatedMembers: number;
  /** Generated member `n`'s id. */
  memberId(n: number): string;
  textChannelIds: string[];
  voiceChannelIds: string[];
}

const JOINED_AT = new Date(Date.UTC(2024, 0, 1)).toISOString();
const NAMES = ['night', 'owl', 'pixel', 'storm', 'echo', 'nova', 'frost', 'ember', 'quartz', 'raven', 'lumen', 'drift'];

function userOf(id: string, g: number, n: number): UserRecord {
  const name = `${NAMES[n % NAMES.length]}${NAMES[(n >> 4) % NAMES.length]}${n}`;
  return {
    id,
    username: g === 0 ? name : `${name}_g${g}`,
    globalName: n % 3 === 0 ? null : `${NAMES[n % NAMES.length]!.replace(/^./, (c) => c.toUpperCase())} ${n}`,
    bot: false,
    dmsClosed: n % 10 === 0,
    locale: 'en-US',
  };
}

function memberOf(id: string, n: number, roleIds: readonly string[], memberRoleId: string | null): MemberRecord {
  const roles: string[] = memberRoleId ? [memberRoleId] : [];
  // Zero to three of the generated roles, spread over the members.
  for (let k = 0; k < n % 4 && roleIds.length > 0; k++) roles.push(roleIds[(n * 7 + k * 5) % roleIds.length]!);
  return { userId: id, nick: n % 5 === 0 ? `Nick ${n}` : null, roles: [...new Set(roles)], joinedAt: JOINED_AT };
}

/**
 * Grows the seeded world to `scale`: more members, channels, roles and emojis in the fixture guild,
 * generated members in voice, and further generated guilds. Returns the layout of every guild.
 */
export function scaleWorld(world: World, input: FixtureInput, scale: ResolvedScale): ScaledGuild[] {
  let thing = 0;
  const nextId = () => snowflakeAt(THING_BASE_MS + thing++ * 1000, thing % 4096, 3, 0);
  const fixtureGuild = world.guild(input.guild.id);
  // member_count is `scale.members` everywhere: the fixture guild has its people, the others the bot.
  const counts = Array.from({ length: scale.guilds }, (_, g) => (g === 0 ? scale.members - (input.members.length + input.extraMembers.length) : Math.max(0, scale.members - 1)));
  const isGenerated = (p: { g: number; n: number } | undefined): p is { g: number; n: number } => p !== undefined && p.g < scale.guilds && p.n < counts[p.g]!;
  const everyoneDefault = fixtureGuild.roles.get(fixtureGuild.id)!.permissions;
  const botRole = [...fixtureGuild.roles.values()].find((r) => r.managedByBotId === world.botUserId);
  const memberRole = input.roles.find((r) => r.key === 'member');
  const memberRoleId = memberRole && fixtureGuild.roles.has(memberRole.id) ? memberRole.id : null;

  // Users of every guild's generated members, made on demand.
  const fixtureUsers = new Map(world.users);
  const userSource: LazySource<UserRecord> = {
    size: counts.reduce((a, b) => a + b, 0),
    *ids() {
      for (let g = 0; g < scale.guilds; g++) for (let n = 0; n < counts[g]!; n++) yield generatedMemberId(g, n);
    },
    includes: (id) => isGenerated(parseGeneratedId(id)),
    make(id) {
      const p = parseGeneratedId(id)!;
      return userOf(id, p.g, p.n);
    },
  };
  const users = new LazyMap(userSource);
  for (const [id, user] of fixtureUsers) users.set(id, user);
  world.users = users;

  const layouts: ScaledGuild[] = [];
  for (let g = 0; g < scale.guilds; g++) {
    const guild: GuildRecord =
      g === 0
        ? fixtureGuild
        : {
            id: generatedGuildId(fixtureGuild.id, g),
            name: `Big Guild ${g + 1}`,
            ownerId: generatedMemberId(g, 0),
            afkChannelId: null,
            afkTimeout: 300,
            preferredLocale: 'en-US',
            roles: new Map(),
            members: new Map(),
            emojis: new Map(),
            voice: new Map(),
            channelIds: [],
          };
    if (g > 0) {
      guild.roles.set(guild.id, { id: guild.id, name: '@everyone', permissions: everyoneDefault, color: 0, hoist: false, position: 0, managedByBotId: null });
      if (botRole) {
        const id = nextId();
        guild.roles.set(id, { ...botRole, id, position: GENERATED_ROLES + 1 });
      }
      world.guilds.set(guild.id, guild);
    }
    // Roles and emojis.
    const generatedRoles: string[] = [];
    const top = Math.max(0, ...[...guild.roles.values()].map((r) => r.position));
    for (let k = 0; k < GENERATED_ROLES; k++) {
      const id = nextId();
      const role: RoleRecord = {
        id,
        name: k < 10 ? `Level ${(k + 1) * 5}` : `${NAMES[k % NAMES.length]} squad`,
        permissions: 0n,
        color: (k * 0x2f3b17) & 0xffffff,
        hoist: k % 6 === 0,
        position: top + 1 + k,
        managedByBotId: null,
      };
      guild.roles.set(id, role);
      generatedRoles.push(id);
    }
    for (let k = 0; k < GENERATED_EMOJIS; k++) {
      const id = nextId();
      guild.emojis.set(id, { id, name: `${NAMES[k % NAMES.length]}_${k}`, animated: k % 8 === 0 });
    }
    // Channels: up to the count, a category every ten, one in five a voice channel.
    const textChannelIds: string[] = [];
    const voiceChannelIds: string[] = [];
    for (const id of guild.channelIds) {
      const c = world.channel(id);
      if (c.type === ChannelType.GuildText) textChannelIds.push(id);
      if (c.type === ChannelType.GuildVoice && id !== guild.afkChannelId) voiceChannelIds.push(id);
    }
    const positions = { [ChannelType.GuildText]: 0, [ChannelType.GuildVoice]: 0, [ChannelType.GuildCategory]: 0 } as Record<number, number>;
    for (const id of guild.channelIds) positions[world.channel(id).type] = (positions[world.channel(id).type] ?? 0) + 1;
    let category: string | null = null;
    let made = 0;
    while (guild.channelIds.length < scale.channels) {
      let type: ChannelType;
      if (made % CHANNELS_PER_CATEGORY === 0) type = ChannelType.GuildCategory;
      else type = made % VOICE_EVERY === 0 ? ChannelType.GuildVoice : ChannelType.GuildText;
      const id = nextId();
      const record: ChannelRecord = {
        id,
        type,
        guildId: guild.id,
        name: type === ChannelType.GuildCategory ? `Area ${made / CHANNELS_PER_CATEGORY + 1}` : type === ChannelType.GuildVoice ? `Voice ${made}` : `chat-${made}`,
        position: positions[type]!++,
        parentId: type === ChannelType.GuildCategory ? null : category,
        topic: type === ChannelType.GuildText ? `Channel ${made}` : null,
        overwrites: made % 7 === 1 && generatedRoles.length > 0 ? [{ id: generatedRoles[made % generatedRoles.length]!, type: 0, allow: 1024n, deny: 0n }] : [],
        recipientId: null,
        lastMessageId: null,
      };
      if (type === ChannelType.GuildCategory) category = id;
      if (type === ChannelType.GuildText) textChannelIds.push(id);
      if (type === ChannelType.GuildVoice) voiceChannelIds.push(id);
      world.channels.set(id, record);
      guild.channelIds.push(id);
      made++;
    }
    // Members: the guild's own (the fixture's people, or the bot) then the generated ones, on demand.
    const own = new Map(guild.members);
    if (g > 0) own.set(world.botUserId, { userId: world.botUserId, nick: null, roles: botRole ? [[...guild.roles.values()].find((r) => r.managedByBotId)!.id] : [], joinedAt: JOINED_AT });
    const roleForMembers = g === 0 ? memberRoleId : null;
    const generated = counts[g]!;
    const members = new LazyMap<MemberRecord>({
      size: generated,
      *ids() {
        for (let n = 0; n < generated; n++) yield generatedMemberId(g, n);
      },
      includes(id) {
        const p = parseGeneratedId(id);
        return p !== undefined && p.g === g && p.n < generated;
      },
      make: (id) => memberOf(id, parseGeneratedId(id)!.n, generatedRoles, roleForMembers),
    });
    for (const [id, m] of own) members.set(id, m);
    guild.members = members;
    // The first `voice` generated members are in voice, spread over the voice channels.
    if (voiceChannelIds.length > 0) {
      for (let n = 0; n < scale.voice; n++) {
        const userId = generatedMemberId(g, n);
        guild.voice.set(userId, {
          userId,
          channelId: voiceChannelIds[n % voiceChannelIds.length]!,
          sessionId: voiceSessionId(userId),
          selfMute: n % 4 === 1,
          selfDeaf: n % 9 === 2,
          selfVideo: false,
          mute: false,
          deaf: false,
        });
      }
    }
    layouts.push({ id: guild.id, generatedMembers: generated, memberId: (n) => generatedMemberId(g, n), textChannelIds, voiceChannelIds });
  }
  return layouts;
}
