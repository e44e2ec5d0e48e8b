/**
 * How tests see a stored message: Discord's message object plus what only the emulator knows —
 * who an ephemeral message is for, and the uploaded files' bytes.
 */
import type { APIMessage } from 'discord-api-types/v10';
import { messageJson } from './serialize.js';
import type { MessageRecord, World } from './world.js';

export interface StoredFile {
  id: string;
  filename: string;
  content_type: string | null;
  size: number;
  bytes: Buffer;
}

export type EmulatedMessage = APIMessage & {
  /** The member an ephemeral message is shown to (null for normal messages). */
  ephemeral_for: string | null;
  /** Uploaded attachments with their bytes. */
  files: StoredFile[];
  /** Number of edits applied to this message. */
  edit_count: number;
  /** The `allowed_mentions` the author sent with it (null when none); who it pings is in `mentions`/`mention_roles`. */
  allowed_mentions: unknown;
};

/** The test view of a message; `viewerId` decides `reactions[].me` (default: the bot). */
export function viewMessage(world: World, m: MessageRecord, viewerId = world.botUserId): EmulatedMessage {
  return {
    ...messageJson(world, m, viewerId, { withNonce: true }),
    ephemeral_for: m.ephemeralFor,
    files: m.attachments.map((a) => ({ id: a.id, filename: a.filename, content_type: a.contentType, size: a.size, bytes: a.bytes })),
    edit_count: m.editCount,
    allowed_mentions: m.allowedMentions,
  };
}
