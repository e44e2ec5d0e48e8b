/**
 * What the sandbox page reads: the guild as a member sees it (channels, members with display names
 * and role colours, voice, the commands they may use) and a channel's messages with who reacted.
 * Read straight from the emulated world, so the page never spends the bot's REST rate limits and
 * never shows up in the wire log it displays.
 */
import { ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import type { Emulator } from '../emulator.js';
import { usableCommand } from '../interactions/lookup.js';
import { has } from '../permissions.js';
import { LOADING } from '../state/messages.js';
import type { GuildRecord, MessageRecord, World } from '../state/world.js';

/** A control route as `control.ts` runs it: `[method, path pattern, handler]`. */
export type PageRoute = [method: string, pattern: RegExp, handler: (emu: Emulator, body: Record<string, any>, query: URLSearchParams) => unknown];

function displayName(world: World, guild: GuildRecord, userId: string): string {
  const user = world.users.get(userId);
  return guild.members.get(userId)?.nick ?? user?.globalName ?? user?.username ?? `unknown user ${userId}`;
}

/** The colour of the member's highest coloured role (0 = none), as Discord paints names. */
function roleColor(guild: GuildRecord, userId: string): number {
  const roles = (guild.members.get(userId)?.roles ?? []).map((r) => guild.roles.get(r)).filter((r) => r !== undefined && r.color !== 0);
  roles.sort((a, b) => b!.position - a!.position);
  return roles[0]?.color ?? 0;
}

const CHANNEL_KIND: Partial<Record<ChannelType, 'text' | 'voice' | 'category'>> = {
  [ChannelType.GuildText]: 'text',
  [ChannelType.GuildAnnouncement]: 'text',
  [ChannelType.GuildVoice]: 'voice',
  [ChannelType.GuildStageVoice]: 'voice',
  [ChannelType.GuildCategory]: 'category',
};

function keyOf(emu: Emulator, userId: string): string | null {
  return Object.entries(emu.fixture.members).find(([, m]) => m.id === userId)?.[0] ?? null;
}

function resolveUser(emu: Emulator, ref: string | null): string | null {
  if (!ref) return null;
  return emu.fixture.members[ref]?.id ?? ref;
}

/** Members shown in the page's list: all of them, or in a big guild the fixture's, those in voice and the first generated ones. */
const MAX_LISTED = 300;
function listedMembers(emu: Emulator, guild: GuildRecord): string[] {
  if (guild.members.size <= MAX_LISTED) return [...guild.members.keys()];
  const ids = new Set(
    Object.values(emu.fixture.members)
      .map((m) => m.id)
      .filter((id) => guild.members.has(id)),
  );
  for (const id of guild.voice.keys()) if (ids.size < MAX_LISTED) ids.add(id);
  for (const id of guild.members.keys()) {
    if (ids.size >= MAX_LISTED) break;
    ids.add(id);
  }
  return [...ids];
}

/** The guild for a member: `GET /control/view?as=alice`. */
function guildView(emu: Emulator, query: URLSearchParams) {
  const world = emu.world;
  const guild = world.guild(emu.fixture.guildId);
  const as = resolveUser(emu, query.get('as'));
  const channels = guild.channelIds
    .map((id) => world.channel(id))
    .filter((c) => CHANNEL_KIND[c.type] !== undefined)
    .map((c) => ({ id: c.id, name: c.name ?? '', kind: CHANNEL_KIND[c.type]!, parentId: c.parentId, position: c.position, topic: c.topic }));
  const members = listedMembers(emu, guild).map((id) => {
    const user = world.user(id);
    const perms = world.guildPermissions(guild.id, id);
    return {
      id,
      key: keyOf(emu, id),
      name: displayName(world, guild, id),
      username: user.username,
      bot: user.bot,
      color: roleColor(guild, id),
      admin: has(perms, PermissionFlagsBits.ManageGuild),
      roles: guild.members.get(id)!.roles.map((r) => guild.roles.get(r)?.name ?? r),
    };
  });
  const channelForCommands = query.get('channel') ?? emu.fixture.channels.tonight ?? channels.find((c) => c.kind === 'text')?.id ?? '';
  const usable = (name: string) => {
    if (!as) return true;
    try {
      usableCommand(world, as, name, channelForCommands);
      return true;
    } catch {
      return false;
    }
  };
  return {
    guild: { id: guild.id, name: guild.name, afkChannelId: guild.afkChannelId },
    botUserId: world.botUserId,
    appName: world.application.name,
    channels,
    members,
    roles: [...guild.roles.values()].map((r) => ({ id: r.id, name: r.name, color: r.color })),
    emojis: [...guild.emojis.values()].map((e) => ({ id: e.id, name: e.name })),
    /** The member's DM channel with the bot, once the bot has opened one. */
    dmChannelId: as ? (world.dmChannelByUser.get(as) ?? null) : null,
    voice: [...guild.voice.values()].map((v) => ({
      userId: v.userId,
      channelId: v.channelId,
      selfMute: v.selfMute,
      selfDeaf: v.selfDeaf,
      mute: v.mute,
      deaf: v.deaf,
      /** Sending audio the emulator hears now (the bot's greeting): the page's speaking ring. */
      speaking: emu.voiceUtterances().some((u) => u.open && u.guild_id === guild.id && u.user_id === v.userId),
    })),
    /** What was heard in this guild's voice channels; `n` is the index `GET /control/voice/utterances/:n.wav` plays. */
    utterances: emu
      .voiceUtterances()
      .map((u, n) => ({ n, userId: u.user_id, channelId: u.channel_id, durationMs: u.duration_ms, dave: u.dave, open: u.open, startedAt: u.started_at, guildId: u.guild_id }))
      .filter((u) => u.guildId === guild.id && !u.open),
    commands: [...(world.commands.get(guild.id) ?? []), ...(world.commands.get('global') ?? [])]
      .filter((c) => (c.body.type ?? 1) === 1)
      .map((c) => ({ name: c.body.name, description: c.body.description ?? '', options: c.body.options ?? [], usable: usable(c.body.name) })),
    counters: emu.counters,
  };
}

function messageView(emu: Emulator, guild: GuildRecord, m: MessageRecord, viewerId: string | null) {
  const world = emu.world;
  const author = world.users.get(m.authorId);
  return {
    id: m.id,
    author: { id: m.authorId, name: displayName(world, guild, m.authorId), bot: author?.bot ?? false, color: roleColor(guild, m.authorId) },
    content: m.content,
    timestamp: m.timestamp,
    editedTimestamp: m.editedTimestamp,
    ephemeral: m.ephemeralFor !== null,
    loading: (m.flags & LOADING) !== 0,
    interaction: m.interaction ? { name: m.interaction.name, user: displayName(world, guild, m.interaction.userId) } : null,
    // Pings the viewer (by name, a role of theirs, or @everyone): Discord highlights such a message.
    mentionsMe: viewerId !== null && (m.mentions.everyone || m.mentions.userIds.includes(viewerId) || m.mentions.roleIds.some((r) => guild.members.get(viewerId)?.roles.includes(r) === true)),
    components: m.components,
    embeds: m.embeds,
    // Relative, so the page works whatever host name it was opened with.
    attachments: m.attachments.map((a) => ({ id: a.id, filename: a.filename, contentType: a.contentType, size: a.size, url: `/attachments/${m.channelId}/${a.id}/${encodeURIComponent(a.filename)}` })),
    reactions: m.reactions.map((r) => ({
      emoji: r.emoji,
      count: r.userIds.length,
      me: viewerId !== null && r.userIds.includes(viewerId),
      users: r.userIds.map((id) => displayName(world, guild, id)),
    })),
  };
}

/** A channel's messages as a member sees them: `GET /control/view/messages?channel=tonight&as=bob`. */
function messagesView(emu: Emulator, query: URLSearchParams) {
  const ref = query.get('channel') ?? 'tonight';
  const channelId = emu.fixture.channels[ref] ?? ref;
  const as = resolveUser(emu, query.get('as'));
  const guild = emu.world.guild(emu.fixture.guildId);
  return emu.world
    .messagesOf(emu.world.channel(channelId).id)
    .filter((m) => m.ephemeralFor === null || m.ephemeralFor === as)
    .slice(-Math.max(1, Number(query.get('limit') ?? '100')))
    .map((m) => messageView(emu, guild, m, as));
}

/** The page's read endpoints under `/control/view`. */
export const pageRoutes: PageRoute[] = [
  ['GET', /^\/view$/, (emu, _b, q) => guildView(emu, q)],
  ['GET', /^\/view\/messages$/, (emu, _b, q) => messagesView(emu, q)],
];
