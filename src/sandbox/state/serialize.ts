/**
 * World records → the JSON objects Discord sends (REST bodies, gateway payloads, interaction data).
 * @see https://discord.com/developers/docs/resources/user#user-object
 * @see https://discord.com/developers/docs/resources/guild#guild-member-object
 * @see https://discord.com/developers/docs/resources/message#message-object
 */
import { ChannelType } from 'discord-api-types/v10';
import type { GuildMemberFlags, RoleFlags, UserFlags, APIAttachment, APIChannel, APIGuildMember, APIMessage, APIReaction, APIRole, APIUser, GatewayVoiceState } from 'discord-api-types/v10';
import type { AttachmentRecord, ChannelRecord, EmojiRecord, GuildRecord, MessageRecord, RoleRecord, VoiceStateRecord, World } from './world.js';

export function userJson(world: World, userId: string): APIUser {
  const u = world.user(userId);
  const json: APIUser = {
    id: u.id,
    username: u.username,
    discriminator: '0',
    global_name: u.globalName,
    avatar: null,
    public_flags: 0 as UserFlags,
    flags: 0 as UserFlags,
    banner: null,
    accent_color: null,
    avatar_decoration_data: null,
  };
  if (u.bot) json.bot = true;
  return json;
}

export function memberJson(world: World, guildId: string, userId: string, withUser = true): APIGuildMember {
  const m = world.member(guildId, userId);
  const json: Omit<APIGuildMember, 'user'> & { user?: APIUser } = {
    nick: m.nick,
    avatar: null,
    banner: null,
    roles: [...m.roles],
    joined_at: m.joinedAt,
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    pending: false,
    communication_disabled_until: null,
  };
  if (withUser) json.user = userJson(world, userId);
  return json as APIGuildMember;
}

export function roleJson(role: RoleRecord): APIRole {
  const json: APIRole = {
    id: role.id,
    name: role.name,
    color: role.color,
    colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
    hoist: role.hoist,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: role.managedByBotId !== null,
    mentionable: false,
    flags: 0 as RoleFlags,
  };
  if (role.managedByBotId) json.tags = { bot_id: role.managedByBotId };
  return json;
}

export function channelJson(world: World, c: ChannelRecord): APIChannel {
  if (c.type === ChannelType.DM) {
    return {
      id: c.id,
      type: ChannelType.DM,
      last_message_id: c.lastMessageId,
      recipients: c.recipientId ? [userJson(world, c.recipientId)] : [],
      flags: 0,
    } as unknown as APIChannel;
  }
  const base = {
    id: c.id,
    type: c.type,
    guild_id: c.guildId,
    name: c.name,
    position: c.position,
    parent_id: c.parentId,
    flags: 0,
    nsfw: false,
    permission_overwrites: c.overwrites.map((o) => ({ id: o.id, type: o.type, allow: o.allow.toString(), deny: o.deny.toString() })),
  };
  if (c.type === ChannelType.GuildText) {
    return { ...base, topic: c.topic, last_message_id: c.lastMessageId, rate_limit_per_user: 0 } as APIChannel;
  }
  if (c.type === ChannelType.GuildVoice) {
    return { ...base, bitrate: 64000, user_limit: 0, rtc_region: null, last_message_id: null, rate_limit_per_user: 0 } as APIChannel;
  }
  return base as APIChannel;
}

/** The REST guild object. */
export function guildJson(world: World, g: GuildRecord, withCounts = false): Record<string, unknown> {
  const text = g.channelIds.map((id) => world.channels.get(id)).find((c) => c?.type === ChannelType.GuildText);
  const json: Record<string, unknown> = {
    id: g.id,
    name: g.name,
    icon: null,
    icon_hash: null,
    splash: null,
    discovery_splash: null,
    owner_id: g.ownerId,
    region: 'deprecated',
    afk_channel_id: g.afkChannelId,
    afk_timeout: g.afkTimeout,
    widget_enabled: false,
    widget_channel_id: null,
    verification_level: 0,
    default_message_notifications: 1,
    explicit_content_filter: 0,
    roles: [...g.roles.values()].map(roleJson),
    emojis: [...g.emojis.values()].map(emojiJson),
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: text?.id ?? null,
    system_channel_flags: 0,
    rules_channel_id: null,
    max_presences: null,
    max_members: 500000,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    premium_subscription_count: 0,
    preferred_locale: g.preferredLocale,
    public_updates_channel_id: null,
    max_video_channel_users: 25,
    max_stage_video_channel_users: 50,
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    safety_alerts_channel_id: null,
    incidents_data: null,
  };
  if (withCounts) {
    json.approximate_member_count = g.members.size;
    json.approximate_presence_count = Math.ceil(g.members.size / 2);
  }
  return json;
}

export function attachmentJson(a: AttachmentRecord): APIAttachment {
  const json: APIAttachment = {
    id: a.id,
    filename: a.filename,
    size: a.size,
    url: a.url,
    proxy_url: a.url,
  };
  if (a.contentType) json.content_type = a.contentType;
  if (a.description) json.description = a.description;
  const png = pngSize(a.bytes);
  if (png) {
    json.width = png.width;
    json.height = png.height;
  }
  return json;
}

/** Width and height of a PNG (from its IHDR chunk), as Discord reports for images. */
function pngSize(bytes: Buffer): { width: number; height: number } | null {
  const signature = '89504e470d0a1a0a';
  if (bytes.length < 24 || bytes.subarray(0, 8).toString('hex') !== signature) return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** The reactions of a message as `viewerId` sees them (`me`). */
export function reactionsJson(m: MessageRecord, viewerId: string): APIReaction[] {
  return m.reactions
    .filter((r) => r.userIds.length > 0)
    .map((r) => ({
      emoji: r.emoji.animated ? { id: r.emoji.id, name: r.emoji.name, animated: true } : { id: r.emoji.id, name: r.emoji.name },
      count: r.userIds.length,
      count_details: { burst: 0, normal: r.userIds.length },
      burst_colors: [],
      me: r.userIds.includes(viewerId),
      me_burst: false,
    }));
}

/**
 * The message object. `viewerId` decides `reactions[].me` (the bot, for REST). `withGuild` adds
 * `guild_id` (gateway dispatches carry it, REST bodies do not).
 */
export function messageJson(world: World, m: MessageRecord, viewerId: string, opts: { withGuild?: boolean; withNonce?: boolean } = {}): APIMessage {
  const json: APIMessage & Record<string, unknown> = {
    id: m.id,
    type: m.type,
    channel_id: m.channelId,
    author: userJson(world, m.authorId),
    content: m.content,
    timestamp: m.timestamp,
    edited_timestamp: m.editedTimestamp,
    tts: m.tts,
    mention_everyone: m.mentions.everyone,
    mentions: m.mentions.userIds.map((id) => userJson(world, id)) as APIMessage['mentions'],
    mention_roles: [...m.mentions.roleIds],
    attachments: m.attachments.map(attachmentJson),
    embeds: m.embeds as APIMessage['embeds'],
    components: m.components as APIMessage['components'],
    pinned: false,
    flags: m.flags,
  };
  const reactions = reactionsJson(m, viewerId);
  if (reactions.length > 0) json.reactions = reactions;
  if (m.webhookId) json.webhook_id = m.webhookId;
  if (m.applicationId) json.application_id = m.applicationId;
  if (opts.withNonce && m.nonce !== null) json.nonce = m.nonce;
  if (opts.withGuild && m.guildId) json.guild_id = m.guildId;
  if (m.interaction) {
    const user = userJson(world, m.interaction.userId);
    json.interaction_metadata = {
      id: m.interaction.id,
      type: m.interaction.type,
      user,
      authorizing_integration_owners: { '0': m.guildId ?? '0' },
      ...(m.interaction.commandType !== undefined ? { name: m.interaction.name, command_type: m.interaction.commandType } : {}),
    } as APIMessage['interaction_metadata'];
    json.interaction = { id: m.interaction.id, type: m.interaction.type, name: m.interaction.name, user } as APIMessage['interaction'];
  }
  return json;
}

export function voiceStateJson(world: World, guildId: string, v: VoiceStateRecord, opts: { withGuild: boolean; withMember: boolean }): GatewayVoiceState {
  const json: GatewayVoiceState = {
    channel_id: v.channelId,
    user_id: v.userId,
    session_id: v.sessionId,
    deaf: v.deaf,
    mute: v.mute,
    self_deaf: v.selfDeaf,
    self_mute: v.selfMute,
    self_video: v.selfVideo,
    suppress: false,
    request_to_speak_timestamp: null,
  } as GatewayVoiceState;
  if (opts.withGuild) json.guild_id = guildId;
  if (opts.withMember) json.member = memberJson(world, guildId, v.userId);
  return json;
}

/** A guild emoji as Discord returns it. @see https://discord.com/developers/docs/resources/emoji#emoji-object */
export function emojiJson(e: EmojiRecord) {
  return { id: e.id, name: e.name, roles: [...(e.roleIds ?? [])], require_colons: true, managed: false, animated: e.animated, available: e.available ?? true };
}
