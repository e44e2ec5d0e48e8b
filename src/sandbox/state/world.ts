/**
 * The emulator's in-memory Discord: users, the guild(s), channels, messages, reactions, voice states,
 * application commands. REST routes, gateway and the typed test API all change it through the
 * operations in this folder, which emit gateway dispatches through {@link World.dispatch}.
 */
import { ChannelType, type GatewayDispatchEvents } from 'discord-api-types/v10';
import type { FixtureInput } from '../fixture.js';
import { unknownChannel, unknownGuild, unknownMember, unknownMessage, unknownUser } from '../errors.js';
import { channelPermissions, type Overwrite } from '../permissions.js';
import { SnowflakeGenerator, compareSnowflakes } from '../snowflake.js';
import type { ReactionEmoji } from '../emoji.js';
import { Counters } from '../wire.js';

export interface UserRecord {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
  dmsClosed: boolean;
  locale: string;
}

export interface MemberRecord {
  userId: string;
  nick: string | null;
  roles: string[];
  joinedAt: string;
}

export interface RoleRecord {
  id: string;
  name: string;
  permissions: bigint;
  color: number;
  hoist: boolean;
  position: number;
  managedByBotId: string | null;
}

export interface ChannelRecord {
  id: string;
  type: ChannelType;
  guildId: string | null;
  name: string | null;
  position: number;
  parentId: string | null;
  topic: string | null;
  overwrites: Overwrite[];
  /** DM channels: the other user. */
  recipientId: string | null;
  lastMessageId: string | null;
}

export interface EmojiRecord {
  id: string;
  name: string;
  animated: boolean;
  /** False when the guild lost the Server Boost level that paid for it (default true). */
  available?: boolean;
  /** Roles allowed to use it; empty or absent = everyone. */
  roleIds?: string[];
}

export interface VoiceStateRecord {
  userId: string;
  channelId: string;
  sessionId: string;
  selfMute: boolean;
  selfDeaf: boolean;
  selfVideo: boolean;
  mute: boolean;
  deaf: boolean;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  afkChannelId: string | null;
  afkTimeout: number;
  preferredLocale: string;
  roles: Map<string, RoleRecord>;
  members: Map<string, MemberRecord>;
  emojis: Map<string, EmojiRecord>;
  voice: Map<string, VoiceStateRecord>;
  channelIds: string[];
}

/** A stored file, readable back by tests (`bytes`). */
export interface AttachmentRecord {
  id: string;
  filename: string;
  description?: string;
  contentType: string | null;
  size: number;
  bytes: Buffer;
  url: string;
}

export interface ReactionRecord {
  emoji: ReactionEmoji;
  /** In the order they reacted. */
  userIds: string[];
}

export interface MessageRecord {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  /** 0 default, 19 reply, 20 chat input command, 23 context menu command. */
  type: number;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: AttachmentRecord[];
  reactions: ReactionRecord[];
  timestamp: string;
  editedTimestamp: string | null;
  flags: number;
  nonce: string | number | null;
  tts: boolean;
  /** Interaction responses and follow-ups are sent by the application's webhook. */
  webhookId: string | null;
  applicationId: string | null;
  interaction: { id: string; type: number; name: string; userId: string; commandType?: number } | null;
  /** Ephemeral messages (flag 64) are only visible to this user and never listed by REST. */
  ephemeralFor: string | null;
  /** Edits counted for tests (content/embeds/components changes). */
  editCount: number;
  /** Who the message pings: its content's mentions, limited by `allowed_mentions`. */
  mentions: { userIds: string[]; roleIds: string[]; everyone: boolean };
  /** The `allowed_mentions` it was last created or edited with, as sent (null when none was). */
  allowedMentions: unknown;
}

/** Something the gateway should send, if the session's intents allow it. */
export interface DispatchEvent {
  t: `${GatewayDispatchEvents}`;
  d: unknown;
  /** The guild it belongs to (decides the shard); none for user-level events. */
  guildId: string | null;
  /** The intent bit that gates it; undefined for events every session gets. */
  intent?: number;
  /** Send to this gateway session only (e.g. VOICE_SERVER_UPDATE). */
  sessionId?: string;
  /**
   * For MESSAGE_CREATE/UPDATE: who wrote it. Sessions without the MESSAGE_CONTENT intent get empty
   * content, embeds, attachments and components for other users' guild messages (unless the bot is
   * mentioned), as on Discord.
   */
  messageAuthorId?: string;
}

export interface CommandRecord {
  id: string;
  guildId: string | null;
  version: string;
  body: Record<string, unknown> & { name: string; type: number };
}

/** The whole emulated Discord. */
export class World {
  readonly ids: SnowflakeGenerator;
  readonly application: { id: string; name: string; token: string; description: string; flags: number };
  /** Replaced by a lazy map when the world is scaled up (see scale.ts). */
  users: Map<string, UserRecord> = new Map();
  readonly guilds = new Map<string, GuildRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, MessageRecord>();
  readonly channelMessages = new Map<string, MessageRecord[]>();
  readonly dmChannelByUser = new Map<string, string>();
  /** Commands by scope: `global` or a guild id. */
  readonly commands = new Map<string, CommandRecord[]>();
  /** Stable command ids by `scope:type:name`, so a bulk overwrite keeps ids. */
  readonly commandIds = new Map<string, string>();
  /** `channel:author:nonce` → message id and when it was created. */
  readonly nonces = new Map<string, { messageId: string; at: number }>();
  /** Base URL attachments are served from (`http://127.0.0.1:PORT`). */
  baseUrl = 'http://127.0.0.1';
  /** Request, 429, edit and message counters (exposed as `emu.counters`). */
  readonly counters = new Counters();
  /** Set by the gateway: delivers dispatches to sessions; answers how many sessions it went to. */
  dispatch: (event: DispatchEvent) => number = () => 0;

  /** The emulator's calendar (message timestamps, ids); see `EmulatorOptions.now`. */
  readonly now: () => number;
  /**
   * Ground truth of voice: every stay of every member in a voice channel, in the order they began
   * (`to` null while it lasts), on the emulator's calendar. What a check of a bot's voice totals reads.
   */
  readonly voiceStays: { guildId: string; userId: string; channelId: string; from: number; to: number | null }[] = [];

  constructor(input: FixtureInput, now: () => number = Date.now) {
    this.now = now;
    this.ids = new SnowflakeGenerator(now);
    const app = input.application;
    this.application = { id: app.id, name: app.name, token: app.token, description: app.description ?? '', flags: 0 };
  }

  get botUserId(): string {
    return this.application.id;
  }

  user(id: string): UserRecord {
    const u = this.users.get(id);
    if (!u) throw unknownUser();
    return u;
  }

  guild(id: string): GuildRecord {
    const g = this.guilds.get(id);
    if (!g) throw unknownGuild();
    return g;
  }

  member(guildId: string, userId: string): MemberRecord {
    const m = this.guild(guildId).members.get(userId);
    if (!m) throw unknownMember();
    return m;
  }

  channel(id: string): ChannelRecord {
    const c = this.channels.get(id);
    if (!c) throw unknownChannel();
    return c;
  }

  /** A message of a channel (10008 when it is not there or not visible). */
  message(channelId: string, messageId: string): MessageRecord {
    const m = this.messages.get(messageId);
    if (!m || m.channelId !== channelId) throw unknownMessage();
    return m;
  }

  /** Messages of a channel, oldest first (ephemeral ones included; callers filter). */
  messagesOf(channelId: string): MessageRecord[] {
    let list = this.channelMessages.get(channelId);
    if (!list) {
      list = [];
      this.channelMessages.set(channelId, list);
    }
    return list;
  }

  addMessage(message: MessageRecord): void {
    const list = this.messagesOf(message.channelId);
    list.push(message);
    if (list.length > 1 && compareSnowflakes((list[list.length - 2] as MessageRecord).id, message.id) > 0) {
      list.sort((a, b) => compareSnowflakes(a.id, b.id));
    }
    this.messages.set(message.id, message);
    if (!message.ephemeralFor) this.channel(message.channelId).lastMessageId = message.id;
  }

  removeMessage(message: MessageRecord): void {
    this.messages.delete(message.id);
    const list = this.messagesOf(message.channelId);
    const i = list.indexOf(message);
    if (i >= 0) list.splice(i, 1);
  }

  /** The permissions of a user in a channel (guild channels; DMs allow the basics). */
  permissionsIn(channelId: string, userId: string): bigint {
    const channel = this.channel(channelId);
    if (!channel.guildId) return channelPermissionsForDm();
    const guild = this.guild(channel.guildId);
    const member = guild.members.get(userId);
    if (!member) return 0n;
    const overwrites = channel.overwrites;
    return channelPermissions(
      {
        guildId: guild.id,
        ownerId: guild.ownerId,
        userId,
        roleIds: member.roles,
        rolePermissions: (roleId) => guild.roles.get(roleId)?.permissions ?? 0n,
      },
      overwrites,
    );
  }

  /** Guild-level permissions of a member (what `member.permissions` carries outside a channel). */
  guildPermissions(guildId: string, userId: string): bigint {
    const guild = this.guild(guildId);
    const member = this.member(guildId, userId);
    return channelPermissions({ guildId, ownerId: guild.ownerId, userId, roleIds: member.roles, rolePermissions: (r) => guild.roles.get(r)?.permissions ?? 0n }, []);
  }

  /** The guild whose channel this is, if any. */
  guildOfChannel(channelId: string): GuildRecord | null {
    const c = this.channel(channelId);
    return c.guildId ? this.guild(c.guildId) : null;
  }

  /** Finds a message anywhere (component interactions only know the message id). */
  findMessage(messageId: string): MessageRecord {
    const m = this.messages.get(messageId);
    if (!m) throw unknownMessage();
    return m;
  }

  /** The DM channel with a user, created on first use with a deterministic id. */
  dmChannel(userId: string): ChannelRecord {
    this.user(userId);
    const existing = this.dmChannelByUser.get(userId);
    if (existing) return this.channel(existing);
    const id = this.ids.next();
    const channel: ChannelRecord = {
      id,
      type: ChannelType.DM,
      guildId: null,
      name: null,
      position: 0,
      parentId: null,
      topic: null,
      overwrites: [],
      recipientId: userId,
      lastMessageId: null,
    };
    this.channels.set(id, channel);
    this.dmChannelByUser.set(userId, id);
    return channel;
  }
}

function channelPermissionsForDm(): bigint {
  // View, send, read history, add reactions, embed links, attach files.
  return (1n << 10n) | (1n << 11n) | (1n << 16n) | (1n << 6n) | (1n << 14n) | (1n << 15n);
}
