/**
 * Request bodies as Discord reads them: JSON, or multipart/form-data with `payload_json` and
 * `files[n]` parts. Broken JSON is 50109.
 * @see https://discord.com/developers/docs/reference#uploading-files
 */
import type { IncomingMessage } from 'node:http';
import { DiscordError, invalidJson } from '../errors.js';
import type { UploadedFile } from '../state/validate.js';

/** Larger than any upload Discord accepts, so the 40005 check decides, not the reader. */
const MAX_BODY_BYTES = 30 * 1024 * 1024;

export interface ParsedBody {
  json: unknown;
  files: UploadedFile[];
  raw: Buffer;
}

export async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > MAX_BODY_BYTES) throw new DiscordError(413, 40005, 'Request entity too large');
      chunks.push(buf);
    }
  } catch (e) {
    if (e instanceof DiscordError) throw e;
    // The client went away mid-body (ECONNRESET, aborted): its fault, not an emulator crash.
    throw new DiscordError(400, 0, '400: Bad Request');
  }
  return Buffer.concat(chunks);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalidJson();
  }
}

/** Parses a raw body by its content type (`null` json for an empty body). */
export async function parseBody(raw: Buffer, contentType: string | undefined): Promise<ParsedBody> {
  if (raw.length === 0) return { json: null, files: [], raw };
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(raw), { headers: { 'content-type': contentType as string } }).formData();
    } catch {
      throw new DiscordError(400, 50035, 'Invalid Form Body');
    }
    let json: unknown = {};
    const files: UploadedFile[] = [];
    for (const [field, value] of form.entries()) {
      if (typeof value === 'string') {
        if (field === 'payload_json') json = parseJson(value);
        continue;
      }
      files.push({
        field,
        filename: value.name || 'blob',
        contentType: value.type || null,
        bytes: Buffer.from(await value.arrayBuffer()),
      });
    }
    return { json, files, raw };
  }
  return { json: parseJson(raw.toString('utf8')), files: [], raw };
}
