/**
 * Creating, editing and deleting messages (REST, webhooks and interaction responses share these),
 * including nonce de-duplication and MESSAGE_CREATE/UPDATE/DELETE dispatches.
 * @see https://discord.com/developers/docs/resources/message#create-message
 * @see https://discord.com/developers/docs/resources/message#edit-message
 */
import { GatewayIntentBits } from 'discord-api-types/v10';
import { DiscordError } from '../errors.js';
import { resolveMentions } from './mentions.js';
import { memberJson, messageJson } from './serialize.js';
import { validateMessageInput, type MessageInput, type UploadedFile } from './validate.js';
import type { AttachmentRecord, MessageRecord, World } from './world.js';

/** How long a nonce with `enforce_nonce` de-duplicates ("the past few minutes"). */
export const NONCE_WINDOW_MS = 5 * 60_000;
/** Discord's default upload limit (10 MiB per request for non-boosted guilds). */
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** Flags a message body may set; EPHEMERAL only in interaction responses. */
const SETTABLE_FLAGS = (1 << 2) | (1 << 12) | (1 << 13) | (1 << 15);
export const EPHEMERAL = 1 << 6;
export const LOADING = 1 << 7;

export interface CreateMessageOptions {
  channelId: string;
  authorId: string;
  input: MessageInput;
  files?: UploadedFile[];
  type?: number;
  webhookId?: string | null;
  interaction?: MessageRecord['interaction'];
  /** Allow the EPHEMERAL flag (interaction responses and follow-ups). */
  allowEphemeral?: boolean;
  /** The user an ephemeral message is shown to. */
  ephemeralFor?: string | null;
  /** Extra flags (e.g. LOADING for deferred responses). */
  extraFlags?: number;
  skipValidation?: boolean;
}

function storeFiles(world: World, channelId: string, input: MessageInput, files: UploadedFile[]): AttachmentRecord[] {
  const total = files.reduce((n, f) => n + f.bytes.length, 0);
  if (total > MAX_UPLOAD_BYTES) throw new DiscordError(413, 40005, 'Request entity too large');
  return files.map((f, i) => {
    const index = /\[(\d+)\]/.exec(f.field)?.[1] ?? String(i);
    const meta = (input.attachments ?? []).find((a) => String(a.id) === index);
    const id = world.ids.next();
    const filename = meta?.filename ?? f.filename;
    const record: AttachmentRecord = {
      id,
      filename,
      contentType: f.contentType,
      size: f.bytes.length,
      bytes: f.bytes,
      url: `${world.baseUrl}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`,
    };
    if (meta?.description) record.description = meta.description;
    return record;
  });
}

function dispatchIntent(world: World, channelId: string): number {
  return world.channel(channelId).guildId ? GatewayIntentBits.GuildMessages : GatewayIntentBits.DirectMessages;
}

/**
 * Creates a message. With `nonce` + `enforce_nonce: true`, a second create by the same author in the
 * same channel within {@link NONCE_WINDOW_MS} returns the first message and creates nothing.
 */
export function createMessage(world: World, o: CreateMessageOptions): { message: MessageRecord; created: boolean } {
  const files = o.files ?? [];
  if (!o.skipValidation) validateMessageInput(o.input, files, true);
  const channel = world.channel(o.channelId);
  const nonce = o.input.nonce ?? null;
  const nonceKey = nonce !== null ? `${o.channelId}:${o.authorId}:${String(nonce)}` : null;
  if (nonceKey && o.input.enforce_nonce) {
    const seen = world.nonces.get(nonceKey);
    const existing = seen && Date.now() - seen.at < NONCE_WINDOW_MS ? world.messages.get(seen.messageId) : undefined;
    if (existing) return { message: existing, created: false };
  }
  let flags = (o.input.flags ?? 0) & (SETTABLE_FLAGS | (o.allowEphemeral ? EPHEMERAL : 0));
  flags |= o.extraFlags ?? 0;
  const id = world.ids.next();
  const message: MessageRecord = {
    id,
    channelId: o.channelId,
    guildId: channel.guildId,
    authorId: o.authorId,
    type: o.type ?? 0,
    content: o.input.content ?? '',
    embeds: o.input.embeds ?? [],
    components: o.input.components ?? [],
    attachments: storeFiles(world, o.channelId, o.input, files),
    reactions: [],
    timestamp: new Date(world.now()).toISOString(),
    editedTimestamp: null,
    flags,
    nonce,
    tts: o.input.tts ?? false,
    webhookId: o.webhookId ?? null,
    applicationId: o.webhookId ? world.application.id : null,
    interaction: o.interaction ?? null,
    ephemeralFor: (flags & EPHEMERAL) !== 0 ? (o.ephemeralFor ?? null) : null,
    editCount: 0,
    mentions: resolveMentions(world, channel.guildId, o.input.content ?? '', o.input.allowed_mentions),
    allowedMentions: o.input.allowed_mentions ?? null,
  };
  world.addMessage(message);
  world.counters.messagesCreated += 1;
  if (nonceKey) world.nonces.set(nonceKey, { messageId: id, at: Date.now() });
  if (!message.ephemeralFor) {
    const d: Record<string, unknown> = messageJson(world, message, world.botUserId, { withGuild: true, withNonce: true }) as unknown as Record<string, unknown>;
    if (channel.guildId && world.guild(channel.guildId).members.has(o.authorId) && !o.webhookId) {
      const { user: _user, ...member } = memberJson(world, channel.guildId, o.authorId) as unknown as Record<string, unknown>;
      d.member = member;
    }
    world.dispatch({
      t: 'MESSAGE_CREATE',
      d,
      guildId: channel.guildId,
      intent: dispatchIntent(world, o.channelId),
      messageAuthorId: o.authorId,
    });
  }
  return { message, created: true };
}

/** Applies an edit (content/embeds/components/flags/attachments) and dispatches MESSAGE_UPDATE. */
export function editMessage(world: World, message: MessageRecord, input: MessageInput, files: UploadedFile[] = [], opts: { clearFlags?: number } = {}): MessageRecord {
  validateMessageInput(input, files, false);
  if (input.content !== undefined) {
    message.content = input.content ?? '';
    message.mentions = resolveMentions(world, message.guildId, message.content, input.allowed_mentions);
    message.allowedMentions = input.allowed_mentions ?? null;
  }
  if (input.embeds !== undefined) message.embeds = input.embeds ?? [];
  if (input.components !== undefined) message.components = input.components ?? [];
  if (input.flags !== undefined && input.flags !== null) {
    // Only SUPPRESS_EMBEDS can be toggled on edit; the rest is kept.
    message.flags = (message.flags & ~(1 << 2)) | (input.flags & (1 << 2));
  }
  message.flags &= ~(opts.clearFlags ?? 0);
  if (input.attachments !== undefined) {
    const keep = new Set((input.attachments ?? []).map((a) => String(a.id)));
    message.attachments = message.attachments.filter((a) => keep.has(a.id));
  }
  message.attachments.push(...storeFiles(world, message.channelId, input, files));
  message.editedTimestamp = new Date(world.now()).toISOString();
  message.editCount += 1;
  world.counters.edits += 1;
  if (!message.ephemeralFor) {
    world.dispatch({
      t: 'MESSAGE_UPDATE',
      d: messageJson(world, message, world.botUserId, { withGuild: true }),
      guildId: message.guildId,
      intent: dispatchIntent(world, message.channelId),
      messageAuthorId: message.authorId,
    });
  }
  return message;
}

export function deleteMessage(world: World, message: MessageRecord): void {
  world.removeMessage(message);
  if (!message.ephemeralFor) {
    const d: Record<string, string> = { id: message.id, channel_id: message.channelId };
    if (message.guildId) d.guild_id = message.guildId;
    world.dispatch({ t: 'MESSAGE_DELETE', d, guildId: message.guildId, intent: dispatchIntent(world, message.channelId) });
  }
}

/** Forgets nonces older than the window (called now and then so the map stays small). */
export function sweepNonces(world: World): void {
  const cutoff = Date.now() - NONCE_WINDOW_MS;
  for (const [key, v] of world.nonces) if (v.at < cutoff) world.nonces.delete(key);
}
