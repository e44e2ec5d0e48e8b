/**
 * The world the emulator starts with: one guild ("Night Owls"), its channels, roles, members and
 * emojis, plus the application (the rollcall bot). Everything has deterministic snowflake ids so a
 * test can hard-code nothing and still get the same ids on every run.
 *
 * Callers override any top-level part (`startEmulator({ fixture: { members: [...] } })`) or add to
 * the defaults with `extraMembers` (see {@link generateMembers} for benchmarks).
 */
import { ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import { snowflakeAt } from './snowflake.js';

/** A text, voice or category channel of the fixture guild. */
export interface ChannelSpec {
  /** Short name used by tests (`fixture.channels.tonight`). */
  key: string;
  id: string;
  name: string;
  type: 'text' | 'voice' | 'category';
  /** Key of the category this channel sits in. */
  parentKey?: string;
  topic?: string;
  /** Channel permission overwrites, by role key or member key. */
  overwrites?: { roleKey?: string; memberKey?: string; allow?: bigint; deny?: bigint }[];
}

/** A guild role. The role with key `everyone` gets the guild's id, as on Discord. */
export interface RoleSpec {
  key: string;
  id: string;
  name: string;
  permissions: bigint;
  color?: number;
  hoist?: boolean;
  /** Bot roles are managed by an integration, like the one Discord creates when a bot joins. */
  managedByBot?: string;
}

/** A user and their guild membership. */
export interface MemberSpec {
  key: string;
  id: string;
  username: string;
  globalName?: string | null;
  nick?: string | null;
  /** Role keys (without `everyone`, which every member has implicitly). */
  roles: string[];
  bot?: boolean;
  /** When true, DMs from the bot fail with 50007, as when a member turns off server DMs. */
  dmsClosed?: boolean;
  locale?: string;
}

/** A custom guild emoji, usable as `name:id` in reaction routes. */
export interface EmojiSpec {
  key: string;
  id: string;
  name: string;
  animated?: boolean;
}

/** Where a member already is in voice when the emulator starts. */
export interface VoiceSpec {
  memberKey: string;
  channelKey: string;
  selfMute?: boolean;
  selfDeaf?: boolean;
}

/** Everything the fixture is made of; `startEmulator({ fixture })` takes a `Partial` of it. */
export interface FixtureInput {
  application: { id: string; name: string; token: string; description?: string };
  guild: {
    id: string;
    name: string;
    ownerKey: string;
    preferredLocale: string;
    afkChannelKey?: string;
    afkTimeout?: number;
  };
  channels: ChannelSpec[];
  roles: RoleSpec[];
  members: MemberSpec[];
  /** Appended to `members` (e.g. thousands of generated members for a benchmark). */
  extraMembers: MemberSpec[];
  emojis: EmojiSpec[];
  voice: VoiceSpec[];
}

/** The resolved ids a test uses (`emu.fixture`). */
export interface Fixture {
  guildId: string;
  applicationId: string;
  botUserId: string;
  token: string;
  channels: Record<DefaultChannelKey, string> & Record<string, string>;
  roles: Record<DefaultRoleKey, string> & Record<string, string>;
  members: Record<DefaultMemberKey, FixtureMember> & Record<string, FixtureMember>;
  emojis: Record<string, { id: string; name: string }>;
}

export interface FixtureMember {
  id: string;
  username: string;
  globalName: string | null;
  nick: string | null;
  bot: boolean;
}

export type DefaultChannelKey = 'nightOwls' | 'tonight' | 'general' | 'voice' | 'squadA' | 'squadB' | 'afk';
export type DefaultRoleKey = 'everyone' | 'admin' | 'moderator' | 'veteran' | 'member' | 'rollcall';
export type DefaultMemberKey = 'alice' | 'bob' | 'carol' | 'dan' | 'erin' | 'frank' | 'beep' | 'rollcall';

/** 2023-03-14T20:00:00Z: fixture ids are minted from here so they look like real, older ids. */
const FIXTURE_BASE_MS = Date.UTC(2023, 2, 14, 20, 0, 0);

/** The n-th deterministic fixture id (one hour apart, so ids sort in the order they were minted). */
export function fixtureId(n: number): string {
  return snowflakeAt(FIXTURE_BASE_MS + n * 3_600_000, n % 4096, 0, 0);
}

const P = PermissionFlagsBits;
/** What @everyone may do in the fixture guild: Discord's defaults for a new server, roughly. */
const EVERYONE_PERMISSIONS =
  P.ViewChannel |
  P.SendMessages |
  P.ReadMessageHistory |
  P.AddReactions |
  P.EmbedLinks |
  P.AttachFiles |
  P.UseExternalEmojis |
  P.Connect |
  P.Speak |
  P.UseVAD |
  P.UseApplicationCommands |
  P.CreateInstantInvite |
  P.ChangeNickname |
  P.Stream |
  P.SendMessagesInThreads |
  P.CreatePublicThreads;
/** The permissions an invite link usually grants a bot like rollcall (no Administrator, no ManageMessages). */
const BOT_PERMISSIONS = P.ViewChannel | P.SendMessages | P.ReadMessageHistory | P.AddReactions | P.EmbedLinks | P.AttachFiles | P.UseExternalEmojis | P.Connect | P.Speak | P.UseApplicationCommands;

/** The default fixture: guild "Night Owls" and its people. */
export function defaultFixtureInput(): FixtureInput {
  const applicationId = fixtureId(1);
  const guildId = fixtureId(2);
  return {
    application: {
      id: applicationId,
      name: 'rollcall',
      token: `${Buffer.from(applicationId).toString('base64url')}.emulator.rollcall-sandbox-token`,
      description: 'Who is playing tonight, and when?',
    },
    guild: { id: guildId, name: 'Night Owls', ownerKey: 'alice', preferredLocale: 'en-US', afkChannelKey: 'afk', afkTimeout: 300 },
    channels: [
      { key: 'nightOwls', id: fixtureId(10), name: 'Night Owls', type: 'category' },
      { key: 'tonight', id: fixtureId(11), name: 'tonight', type: 'text', parentKey: 'nightOwls', topic: 'Who is playing tonight?' },
      { key: 'general', id: fixtureId(12), name: 'general', type: 'text', parentKey: 'nightOwls' },
      { key: 'voice', id: fixtureId(13), name: 'Voice', type: 'category' },
      { key: 'squadA', id: fixtureId(14), name: 'Squad A', type: 'voice', parentKey: 'voice' },
      { key: 'squadB', id: fixtureId(15), name: 'Squad B', type: 'voice', parentKey: 'voice' },
      { key: 'afk', id: fixtureId(16), name: 'AFK', type: 'voice', parentKey: 'voice' },
    ],
    roles: [
      { key: 'everyone', id: guildId, name: '@everyone', permissions: EVERYONE_PERMISSIONS },
      { key: 'admin', id: fixtureId(20), name: 'Admin', permissions: P.Administrator, color: 0xe74c3c, hoist: true },
      { key: 'moderator', id: fixtureId(21), name: 'Moderator', permissions: P.ManageGuild | P.ManageMessages | P.KickMembers, color: 0x3498db, hoist: true },
      { key: 'veteran', id: fixtureId(22), name: 'Veteran', permissions: 0n, color: 0xf1c40f },
      { key: 'member', id: fixtureId(23), name: 'Member', permissions: 0n, color: 0x2ecc71 },
      { key: 'rollcall', id: fixtureId(24), name: 'rollcall', permissions: BOT_PERMISSIONS, managedByBot: 'rollcall' },
      { key: 'beep', id: fixtureId(25), name: 'Beep', permissions: BOT_PERMISSIONS, managedByBot: 'beep' },
    ],
    members: [
      { key: 'alice', id: fixtureId(30), username: 'alice', globalName: 'Alice', nick: 'Al', roles: ['admin', 'member'], locale: 'en-US' },
      { key: 'bob', id: fixtureId(31), username: 'bob_the_builder', globalName: 'Bob', nick: null, roles: ['moderator', 'member'], locale: 'en-GB' },
      { key: 'carol', id: fixtureId(32), username: 'carol.dev', globalName: 'Carol', nick: 'Caz', roles: ['veteran', 'member'], locale: 'de' },
      { key: 'dan', id: fixtureId(33), username: 'dan_nightowl', globalName: 'Dan', nick: null, roles: ['member'], locale: 'en-US' },
      { key: 'erin', id: fixtureId(34), username: 'erin', globalName: 'Erin', nick: null, roles: ['member'], dmsClosed: true, locale: 'fr' },
      { key: 'frank', id: fixtureId(35), username: 'frank42', globalName: null, nick: 'Frankie', roles: ['veteran', 'member'], locale: 'en-US' },
      { key: 'beep', id: fixtureId(36), username: 'Beep', globalName: null, nick: null, roles: ['beep'], bot: true },
      { key: 'rollcall', id: applicationId, username: 'rollcall', globalName: null, nick: null, roles: ['rollcall'], bot: true },
    ],
    extraMembers: [],
    emojis: [
      { key: 'owl', id: fixtureId(40), name: 'owl_yes' },
      { key: 'maybe', id: fixtureId(41), name: 'maybe', animated: false },
    ],
    voice: [],
  };
}

/** `count` generated members (`member0001` …), each with the `member` role, for benchmarks. */
export function generateMembers(count: number, startIndex = 1000): MemberSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(4, '0');
    return { key: `member${n}`, id: fixtureId(startIndex + i), username: `member${n}`, globalName: `Member ${n}`, roles: ['member'] };
  });
}

/**
 * Default fixture with the caller's top-level parts swapped in. The bot is always a member: the
 * member with key `rollcall` takes the application's id, and is added when a `members` override
 * leaves it out.
 */
export function resolveFixtureInput(overrides: Partial<FixtureInput> = {}): FixtureInput {
  const defaults = defaultFixtureInput();
  const input = { ...defaults, ...overrides };
  const appId = input.application.id;
  const defaultBot = defaults.members.find((m) => m.key === 'rollcall') as MemberSpec;
  const members = input.members.map((m) => (m.key === 'rollcall' ? { ...m, id: appId } : m));
  if (!members.some((m) => m.id === appId)) {
    const role = input.roles.some((r) => r.key === 'rollcall') ? ['rollcall'] : [];
    members.push({ ...defaultBot, id: appId, username: input.application.name, roles: role });
  }
  return { ...input, members };
}

/** The ids a test needs, keyed by the fixture's short names. */
export function describeFixture(input: FixtureInput): Fixture {
  const members = [...input.members, ...input.extraMembers];
  const byKey = <T extends { key: string }, V>(list: T[], f: (t: T) => V): Record<string, V> => Object.fromEntries(list.map((x) => [x.key, f(x)]));
  return {
    guildId: input.guild.id,
    applicationId: input.application.id,
    botUserId: input.application.id,
    token: input.application.token,
    channels: byKey(input.channels, (c) => c.id) as Fixture['channels'],
    roles: byKey(input.roles, (r) => r.id) as Fixture['roles'],
    members: byKey(members, (m) => ({
      id: m.id,
      username: m.username,
      globalName: m.globalName ?? null,
      nick: m.nick ?? null,
      bot: m.bot ?? false,
    })) as Fixture['members'],
    emojis: byKey(input.emojis, (e) => ({ id: e.id, name: e.name })),
  };
}

/** Discord's channel type number for a fixture channel kind. */
export function channelTypeOf(type: ChannelSpec['type']): ChannelType {
  return type === 'text' ? ChannelType.GuildText : type === 'voice' ? ChannelType.GuildVoice : ChannelType.GuildCategory;
}
