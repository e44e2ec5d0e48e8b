// @ts-check
import { h, hex } from './dom.js';

/**
 * The part of Discord's markdown rollcall's messages use, rendered as DOM nodes: code blocks and
 * inline code, **bold**, *italic*, __underline__, ~~strike~~, ||spoilers||, links, block quotes,
 * headings, and Discord's tokens — `<@user>`, `<#channel>`, `<@&role>`, `<t:unix:style>` (in the
 * viewer's local time), `<:custom:emoji>`.
 * @see https://support.discord.com/hc/en-us/articles/210298617
 * @see https://discord.com/developers/docs/reference#message-formatting
 */

/**
 * @typedef {{ userName(id: string): string | null, userColor(id: string): number, channelName(id: string): string | null,
 *   role(id: string): { name: string, color: number } | null, now(): number }} Names
 */

/** Discord's timestamp styles, as Intl options. @type {Record<string, Intl.DateTimeFormatOptions>} */
const STYLES = {
  t: { hour: 'numeric', minute: '2-digit' },
  T: { hour: 'numeric', minute: '2-digit', second: '2-digit' },
  d: { year: 'numeric', month: '2-digit', day: '2-digit' },
  D: { year: 'numeric', month: 'long', day: 'numeric' },
  f: { year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit' },
  F: { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit' },
};

/** "in 3 hours" / "5 minutes ago", relative to the sandbox's clock. @param {number} ms @param {number} now */
export function relativeTime(ms, now) {
  const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const diff = (ms - now) / 1000;
  /** @type {[Intl.RelativeTimeFormatUnit, number][]} */
  const units = [
    ['year', 31536000],
    ['month', 2592000],
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ];
  for (const [unit, seconds] of units) {
    if (Math.abs(diff) >= seconds || unit === 'second') return rtf.format(Math.round(diff / seconds), unit);
  }
  return '';
}

/** A `<t:…>` token as text in the viewer's zone. @param {number} unix @param {string} style @param {number} now */
export function formatTimestamp(unix, style, now) {
  const ms = unix * 1000;
  if (style === 'R') return relativeTime(ms, now);
  return new Intl.DateTimeFormat(undefined, STYLES[style] ?? STYLES.f).format(new Date(ms));
}

const INLINE = new RegExp(
  [
    '(?<code>`+)(?<codeText>[\\s\\S]+?)\\k<code>',
    '<t:(?<unix>-?\\d{1,13})(?::(?<style>[tTdDfFR]))?>',
    '<@!?(?<user>\\d{15,21})>',
    '<#(?<channel>\\d{15,21})>',
    '<@&(?<role>\\d{15,21})>',
    '<(?<animated>a?):(?<emojiName>\\w{2,32}):(?<emojiId>\\d{15,21})>',
    '\\[(?<linkText>[^\\]]+)\\]\\((?<linkUrl>https?://[^\\s)]+)\\)',
    '(?<url>https?://[^\\s<]+[^\\s<.,:;"\')\\]])',
    '\\*\\*(?<bold>[\\s\\S]+?)\\*\\*(?!\\*)',
    '__(?<underline>[\\s\\S]+?)__(?!_)',
    '~~(?<strike>[\\s\\S]+?)~~',
    '\\|\\|(?<spoiler>[\\s\\S]+?)\\|\\|',
    '\\*(?<italic>[^*\\s](?:[\\s\\S]*?[^*\\s])?)\\*',
    '\\b_(?<italic2>[^_\\s](?:[\\s\\S]*?[^_\\s])?)_\\b',
  ].join('|'),
  'g',
);

/**
 * Inline markdown of one piece of text.
 * @param {string} text @param {Names} names @returns {(Node | string)[]}
 */
export function inline(text, names) {
  /** @type {(Node | string)[]} */
  const out = [];
  let last = 0;
  // matchAll works on a copy of the regex, so the recursion for **bold** etc. cannot reset our position.
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    last = m.index + m[0].length;
    const g = /** @type {Record<string, string | undefined>} */ (m.groups);
    if (g.codeText !== undefined) out.push(h('code', null, g.codeText));
    else if (g.unix !== undefined) {
      const unix = Number(g.unix);
      const full = new Intl.DateTimeFormat(undefined, STYLES.F).format(new Date(unix * 1000));
      out.push(h('time', { class: 'timestamp', datetime: new Date(unix * 1000).toISOString(), title: full }, formatTimestamp(unix, g.style ?? 'f', names.now())));
    } else if (g.user !== undefined) {
      const name = names.userName(g.user);
      out.push(h('span', { class: 'mention', title: g.user }, `@${name ?? 'unknown-user'}`));
    } else if (g.channel !== undefined) {
      out.push(h('span', { class: 'mention', title: g.channel }, `#${names.channelName(g.channel) ?? 'unknown'}`));
    } else if (g.role !== undefined) {
      const role = names.role(g.role);
      out.push(h('span', { class: 'mention role', style: role?.color ? { color: hex(role.color) } : null }, `@${role?.name ?? 'unknown-role'}`));
    } else if (g.emojiId !== undefined) {
      out.push(h('span', { class: 'custom-emoji', title: `:${g.emojiName}:` }, `:${g.emojiName}:`));
    } else if (g.linkUrl !== undefined) {
      out.push(h('a', { href: g.linkUrl, target: '_blank', rel: 'noopener noreferrer' }, g.linkText ?? g.linkUrl));
    } else if (g.url !== undefined) {
      out.push(h('a', { href: g.url, target: '_blank', rel: 'noopener noreferrer' }, g.url));
    } else if (g.bold !== undefined) out.push(h('strong', null, inline(g.bold, names)));
    else if (g.underline !== undefined) out.push(h('u', null, inline(g.underline, names)));
    else if (g.strike !== undefined) out.push(h('s', null, inline(g.strike, names)));
    else if (g.spoiler !== undefined) out.push(h('span', { class: 'spoiler', tabindex: 0, title: 'Spoiler' }, inline(g.spoiler, names)));
    else out.push(h('em', null, inline(g.italic ?? g.italic2 ?? '', names)));
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/**
 * A whole message content as block nodes.
 * @param {string} content @param {Names} names @returns {Node[]}
 */
export function markdown(content, names) {
  /** @type {Node[]} */
  const blocks = [];
  const parts = content.split(/```(?:[\w+-]*\n)?([\s\S]*?)```/g);
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      blocks.push(h('pre', null, h('code', null, part.replace(/\n$/, ''))));
      return;
    }
    if (part === '') return;
    /** @type {HTMLElement | null} */
    let quote = null;
    const lines = part.replace(/^\n|\n$/g, '').split('\n');
    for (const line of lines) {
      const heading = /^(#{1,3}) (.+)$/.exec(line);
      const sub = /^-# (.+)$/.exec(line);
      const q = /^>>?> ?(.*)$|^> ?(.*)$/.exec(line);
      let node;
      if (heading) node = h(`h${heading[1]?.length ?? 1}`, { class: 'md-heading' }, inline(heading[2] ?? '', names));
      else if (sub) node = h('p', { class: 'md-subtext' }, inline(sub[1] ?? '', names));
      else if (/^[-*] /.test(line)) node = h('p', { class: 'md-line md-bullet' }, '• ', inline(line.slice(2), names));
      else if (line === '') node = h('p', { class: 'md-gap', 'aria-hidden': 'true' });
      else node = h('p', { class: 'md-line' }, inline(line, names));
      if (q && !heading) {
        quote ??= h('blockquote');
        quote.appendChild(h('p', { class: 'md-line' }, inline(q[1] ?? q[2] ?? '', names)));
        if (!blocks.includes(quote)) blocks.push(quote);
        continue;
      }
      quote = null;
      blocks.push(node);
    }
  });
  return blocks;
}
