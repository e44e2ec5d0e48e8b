/**
 * Reaction emoji as the reaction routes take them: a URL-encoded unicode emoji (`%F0%9F%95%98`) or a
 * custom emoji as `name:id`.
 * @see https://discord.com/developers/docs/resources/message#create-reaction
 */
import { unknownEmoji } from './errors.js';

export interface ReactionEmoji {
  id: string | null;
  name: string;
  animated?: boolean;
}

/** Looks up a custom emoji by id (undefined when it cannot be used here). */
export type CustomEmojiLookup = (id: string, name: string, animated: boolean) => { id: string; name: string; animated?: boolean } | undefined;

const UNICODE_EMOJI = /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}|[#*0-9]\uFE0F?\u20E3)/u;

/** Whether a string is plausibly one unicode emoji (what Discord accepts as a reaction). */
export function isUnicodeEmoji(value: string): boolean {
  return value.length > 0 && value.length <= 32 && UNICODE_EMOJI.test(value) && !/[A-Za-z\s]/.test(value);
}

/**
 * Parses a reaction emoji (already URL-decoded): unicode, `name:id` or `a:name:id`, or `<:name:id>`.
 * Throws 10014 Unknown Emoji for anything Discord would reject.
 */
export function parseReactionEmoji(raw: string, lookup: CustomEmojiLookup): ReactionEmoji {
  const value = raw.trim().replace(/^<(.*)>$/, '$1');
  const custom = /^(?:(a):)?([\w~]{1,32}):(\d{15,21})$/.exec(value);
  if (custom) {
    const found = lookup(custom[3] as string, custom[2] as string, custom[1] === 'a');
    if (!found) throw unknownEmoji();
    return found.animated ? { id: found.id, name: found.name, animated: true } : { id: found.id, name: found.name };
  }
  if (isUnicodeEmoji(value)) return { id: null, name: value };
  throw unknownEmoji();
}

/** The key two reactions share when they are "the same emoji" (custom: id; unicode: the text). */
export function emojiKey(emoji: ReactionEmoji): string {
  return emoji.id ?? emoji.name;
}
