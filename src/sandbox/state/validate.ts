/**
 * Checks of a message body the way Discord checks them, failing with 50035 Invalid Form Body and the
 * nested `errors` object (several problems at once), or 50006 for an empty message.
 * @see https://discord.com/developers/docs/resources/message#create-message-jsonform-params
 * @see https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 */
import { emptyMessage, fieldError, invalidFormBody, mergeFormErrors, type FormErrors } from '../errors.js';
import { isSnowflake } from '../snowflake.js';
import { checkAllowedMentions, type AllowedMentionsInput } from './mentions.js';

/** A message body as the REST routes, webhooks and interaction responses receive it. */
export interface MessageInput {
  content?: string | null;
  embeds?: unknown[] | null;
  components?: unknown[] | null;
  flags?: number | null;
  nonce?: string | number | null;
  enforce_nonce?: boolean;
  tts?: boolean;
  attachments?: { id: string | number; filename?: string; description?: string }[] | null;
  sticker_ids?: string[];
  poll?: unknown;
  allowed_mentions?: AllowedMentionsInput | null;
}

/** A file part of a multipart body (`files[n]`). */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string | null;
  bytes: Buffer;
}

const maxLength = (n: number) => `Must be ${n} or fewer in length.`;

function checkLength(errors: FormErrors, path: (string | number)[], value: unknown, max: number): void {
  if (typeof value === 'string' && [...value].length > max) mergeFormErrors(errors, fieldError(path, 'BASE_TYPE_MAX_LENGTH', maxLength(max)));
}

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const notDict = (path: (string | number)[]) => fieldError(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');

/** `attachments`: a list of `{ id, filename?, description? }`, `id` a file index or a kept attachment's snowflake. */
function checkAttachments(errors: FormErrors, attachments: unknown): void {
  if (!Array.isArray(attachments)) {
    mergeFormErrors(errors, fieldError(['attachments'], 'BASE_TYPE_LIST', 'Must be an array.'));
    return;
  }
  if (attachments.length > 10) mergeFormErrors(errors, fieldError(['attachments'], 'BASE_TYPE_MAX_LENGTH', maxLength(10)));
  attachments.forEach((a: unknown, i) => {
    if (!isDict(a)) {
      mergeFormErrors(errors, notDict(['attachments', i]));
      return;
    }
    const id = a.id;
    if (id === undefined || id === null) mergeFormErrors(errors, fieldError(['attachments', i, 'id'], 'BASE_TYPE_REQUIRED', 'This field is required'));
    else if (!(Number.isSafeInteger(id) && (id as number) >= 0) && !isSnowflake(id)) {
      mergeFormErrors(errors, fieldError(['attachments', i, 'id'], 'NUMBER_TYPE_COERCE', `Value "${typeof id === 'string' ? id : JSON.stringify(id)}" is not snowflake.`));
    }
    for (const [key, max] of [
      ['filename', 1024],
      ['description', 1024],
    ] as const) {
      const v = a[key];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'string') mergeFormErrors(errors, fieldError(['attachments', i, key], 'BASE_TYPE_STRING', 'Must be a string.'));
      else checkLength(errors, ['attachments', i, key], v, max);
    }
  });
}

function checkEmbeds(errors: FormErrors, embeds: unknown[]): void {
  if (embeds.length > 10) mergeFormErrors(errors, fieldError(['embeds'], 'BASE_TYPE_MAX_LENGTH', maxLength(10)));
  let total = 0;
  embeds.forEach((raw, i) => {
    if (!isDict(raw)) {
      mergeFormErrors(errors, notDict(['embeds', i]));
      return;
    }
    const e = raw as Record<string, any>;
    for (const key of ['footer', 'author', 'image', 'thumbnail', 'video', 'provider'] as const) {
      if (e[key] !== undefined && e[key] !== null && !isDict(e[key])) mergeFormErrors(errors, notDict(['embeds', i, key]));
    }
    const count = (v: unknown) => (typeof v === 'string' ? [...v].length : 0);
    checkLength(errors, ['embeds', i, 'title'], e.title, 256);
    checkLength(errors, ['embeds', i, 'description'], e.description, 4096);
    checkLength(errors, ['embeds', i, 'footer', 'text'], e.footer?.text, 2048);
    checkLength(errors, ['embeds', i, 'author', 'name'], e.author?.name, 256);
    total += count(e.title) + count(e.description) + count(e.footer?.text) + count(e.author?.name);
    if (e.fields !== undefined && e.fields !== null && !Array.isArray(e.fields)) mergeFormErrors(errors, fieldError(['embeds', i, 'fields'], 'BASE_TYPE_LIST', 'Must be an array.'));
    const fields: unknown[] = Array.isArray(e.fields) ? e.fields : [];
    if (fields.length > 25) mergeFormErrors(errors, fieldError(['embeds', i, 'fields'], 'BASE_TYPE_MAX_LENGTH', maxLength(25)));
    fields.forEach((f: any, j) => {
      if (!isDict(f)) {
        mergeFormErrors(errors, notDict(['embeds', i, 'fields', j]));
        return;
      }
      checkLength(errors, ['embeds', i, 'fields', j, 'name'], f?.name, 256);
      checkLength(errors, ['embeds', i, 'fields', j, 'value'], f?.value, 1024);
      if (typeof f?.name !== 'string' || f.name.length === 0) mergeFormErrors(errors, fieldError(['embeds', i, 'fields', j, 'name'], 'BASE_TYPE_REQUIRED', 'This field is required'));
      if (typeof f?.value !== 'string' || f.value.length === 0) mergeFormErrors(errors, fieldError(['embeds', i, 'fields', j, 'value'], 'BASE_TYPE_REQUIRED', 'This field is required'));
      total += count(f?.name) + count(f?.value);
    });
  });
  if (total > 6000) mergeFormErrors(errors, fieldError(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000'));
}

function checkComponents(errors: FormErrors, components: unknown[], flags: number): void {
  const v2 = (flags & (1 << 15)) !== 0;
  if (!v2 && components.length > 5) mergeFormErrors(errors, fieldError(['components'], 'BASE_TYPE_MAX_LENGTH', maxLength(5)));
  const seen = new Set<string>();
  const walk = (node: any, path: (string | number)[]): void => {
    if (typeof node !== 'object' || node === null) return;
    if (typeof node.custom_id === 'string') {
      checkLength(errors, [...path, 'custom_id'], node.custom_id, 100);
      if (seen.has(node.custom_id)) mergeFormErrors(errors, fieldError([...path, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated'));
      seen.add(node.custom_id);
    }
    if (node.type === 1 && !v2) {
      const children: any[] = Array.isArray(node.components) ? node.components : [];
      const selects = children.filter((c) => c?.type >= 3 && c?.type <= 8 && c?.type !== 4);
      if (children.length > 5 || (selects.length > 0 && children.length > 1)) {
        mergeFormErrors(errors, fieldError([...path, 'components'], 'BASE_TYPE_MAX_LENGTH', maxLength(selects.length > 0 ? 1 : 5)));
      }
    }
    if (node.type === 2 && node.style !== 5 && node.style !== 6 && typeof node.custom_id !== 'string') {
      mergeFormErrors(errors, fieldError([...path, 'custom_id'], 'BASE_TYPE_REQUIRED', 'This field is required'));
    }
    if (Array.isArray(node.options) && node.options.length > 25) mergeFormErrors(errors, fieldError([...path, 'options'], 'BASE_TYPE_MAX_LENGTH', maxLength(25)));
    if (Array.isArray(node.components)) node.components.forEach((c: unknown, i: number) => walk(c, [...path, 'components', i]));
    if (node.accessory) walk(node.accessory, [...path, 'accessory']);
  };
  components.forEach((c, i) => walk(c, ['components', i]));
}

/**
 * Validates a message body. `creating` adds the "not empty" rule (edits may clear content).
 * Throws a {@link DiscordError}; returns nothing.
 */
export function validateMessageInput(body: MessageInput, files: UploadedFile[], creating: boolean): void {
  const errors: FormErrors = {};
  if (body.content !== undefined && body.content !== null && typeof body.content !== 'string') {
    mergeFormErrors(errors, fieldError(['content'], 'BASE_TYPE_STRING', 'Must be a string.'));
  }
  checkLength(errors, ['content'], body.content, 2000);
  if (body.embeds !== undefined && body.embeds !== null) {
    if (!Array.isArray(body.embeds)) mergeFormErrors(errors, fieldError(['embeds'], 'BASE_TYPE_LIST', 'Must be an array.'));
    else checkEmbeds(errors, body.embeds);
  }
  if (body.components !== undefined && body.components !== null) {
    if (!Array.isArray(body.components)) mergeFormErrors(errors, fieldError(['components'], 'BASE_TYPE_LIST', 'Must be an array.'));
    else checkComponents(errors, body.components, body.flags ?? 0);
  }
  if (body.attachments !== undefined && body.attachments !== null) checkAttachments(errors, body.attachments);
  if (body.nonce !== undefined && body.nonce !== null) {
    if (typeof body.nonce === 'string') checkLength(errors, ['nonce'], body.nonce, 25);
    else if (!Number.isSafeInteger(body.nonce)) mergeFormErrors(errors, fieldError(['nonce'], 'BASE_TYPE_STRING', 'Must be a string or an integer.'));
  }
  checkAllowedMentions(errors, body.allowed_mentions);
  if (Object.keys(errors).length > 0) throw invalidFormBody(errors);
  if (creating) {
    const hasContent = typeof body.content === 'string' && body.content.trim().length > 0;
    const hasEmbeds = Array.isArray(body.embeds) && body.embeds.length > 0;
    const hasComponents = Array.isArray(body.components) && body.components.length > 0;
    const hasOther = files.length > 0 || (body.sticker_ids?.length ?? 0) > 0 || body.poll !== undefined;
    if (!hasContent && !hasEmbeds && !hasComponents && !hasOther) throw emptyMessage();
  }
}
