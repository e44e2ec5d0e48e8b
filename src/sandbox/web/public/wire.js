// @ts-check
/* global EventSource */
import { h, replace } from './dom.js';

/**
 * The side panel: every REST call (with its rate-limit headers), gateway frame and interaction the
 * emulator saw, live over Server-Sent Events, newest first.
 */

const MAX_ROWS = 300;
const GATEWAY_OPS = {
  0: 'DISPATCH',
  1: 'HEARTBEAT',
  2: 'IDENTIFY',
  3: 'PRESENCE',
  4: 'VOICE STATE',
  6: 'RESUME',
  7: 'RECONNECT',
  8: 'REQUEST MEMBERS',
  9: 'INVALID SESSION',
  10: 'HELLO',
  11: 'HEARTBEAT ACK',
};
const RESPONSE_TYPES = { 1: 'PONG', 4: 'message', 5: 'deferred message', 6: 'deferred update', 7: 'update message', 8: 'autocomplete', 9: 'modal' };
const INTERACTION_TYPES = { 1: 'ping', 2: 'command', 3: 'component', 4: 'autocomplete', 5: 'modal submit' };

/** @param {any} e */
function isHeartbeat(e) {
  return e.kind === 'gateway' && (e.op === 1 || e.op === 11);
}

/** Which filter box an event belongs to. @param {any} e */
function category(e) {
  if (isHeartbeat(e)) return 'heartbeat';
  if (e.kind === 'gateway' || e.kind === 'gateway-close' || e.kind === 'voice') return 'gateway';
  if (e.kind === 'interaction' || e.kind === 'interaction-response') return 'interaction';
  if (e.kind === 'rest') return 'rest';
  return 'control';
}

/** @param {number} at */
function clockTime(at) {
  const d = new Date(at);
  return `${d.toLocaleTimeString(undefined, { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** A REST path with ids shortened (…last 4 digits) and emoji decoded, so a row fits the panel. @param {string} path */
function shortPath(path) {
  let text = path;
  try {
    text = decodeURIComponent(path);
  } catch {
    // keep it encoded
  }
  return text
    .replace(/\/(webhooks\/\d+|interactions\/\d+)\/([^/]{20,})/g, (_m, /** @type {string} */ head, /** @type {string} */ token) => `/${head}/${token.slice(0, 6)}…`)
    .replace(/\d{17,20}/g, (id) => `…${id.slice(-4)}`);
}

/** `remaining 4/5 · resets in 1.2 s · bucket 6dbf7165`, with every header in the tooltip. @param {Record<string, string>} rl */
function rateLimitLine(rl) {
  const get = (/** @type {string} */ k) => rl[`X-RateLimit-${k}`];
  const parts = [];
  if (get('Remaining') !== undefined) parts.push(`remaining ${get('Remaining')}/${get('Limit') ?? '?'}`);
  if (get('Reset-After') !== undefined) parts.push(`resets in ${get('Reset-After')} s`);
  if (get('Bucket')) parts.push(`bucket ${get('Bucket')?.slice(0, 8)}`);
  if (get('Scope')) parts.push(`scope ${get('Scope')}`);
  if (get('Global')) parts.push('global');
  return h(
    'span',
    {
      class: 'wire-detail',
      title: Object.entries(rl)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n'),
    },
    parts.join(' · '),
  );
}

/** One row for an event. @param {any} e @param {(id: string) => string} nameOf */
function row(e, nameOf) {
  const time = h('time', { class: 'wire-time', datetime: new Date(e.at).toISOString() }, clockTime(e.at));
  switch (e.kind) {
    case 'rest': {
      const rl = e.rateLimit ?? {};
      const limits = Object.keys(rl).length ? rateLimitLine(rl) : null;
      const status = h('span', { class: `wire-status s${String(e.status)[0]}${e.status === 429 ? ' s429' : ''}` }, String(e.status));
      return h(
        'li',
        { class: 'wire-row rest' },
        time,
        h('span', { class: 'wire-kind' }, 'REST'),
        ' ',
        h('span', { class: 'wire-what', title: e.path }, `${e.method} ${shortPath(e.path)}`),
        ' ',
        status,
        e.fault ? h('span', { class: 'wire-detail fault' }, e.fault) : null,
        limits,
        e.error ? h('span', { class: 'wire-detail' }, `${e.error.code}: ${e.error.message}`) : null,
      );
    }
    case 'gateway': {
      const op = GATEWAY_OPS[e.op] ?? `op ${e.op}`;
      const what = e.op === 0 ? `${e.t}${e.s ? ` #${e.s}` : ''}` : op;
      return h('li', { class: `wire-row gateway ${e.direction}` }, time, h('span', { class: 'wire-kind' }, e.direction === 'out' ? 'GW →' : 'GW ←'), ' ', h('span', { class: 'wire-what' }, what));
    }
    case 'gateway-close':
      return h(
        'li',
        { class: 'wire-row gateway close' },
        time,
        h('span', { class: 'wire-kind' }, 'GW ✕'),
        ' ',
        h('span', { class: 'wire-what' }, `closed ${e.code} by ${e.by}`),
        h('span', { class: 'wire-detail' }, e.reason),
      );
    case 'interaction': {
      const what = e.name ? `/${e.name}` : e.customId ? `[${e.customId.split(':')[0]}]` : '';
      const response = e.responseType ? ` → ${RESPONSE_TYPES[e.responseType] ?? `type ${e.responseType}`}` : '';
      return h(
        'li',
        { class: 'wire-row interaction' },
        time,
        h('span', { class: 'wire-kind' }, 'SIGNED'),
        ' ',
        h('span', { class: 'wire-what' }, `${INTERACTION_TYPES[e.type] ?? `type ${e.type}`} ${what} by ${nameOf(e.userId)}`),
        ' ',
        h('span', { class: `wire-status s${String(e.status)[0]}` }, String(e.status)),
        h('span', { class: 'wire-detail' }, `Ed25519-signed POST${response}${e.error ? ` · ${e.error}` : ''}`),
      );
    }
    case 'interaction-response':
      return h(
        'li',
        { class: 'wire-row interaction' },
        time,
        h('span', { class: 'wire-kind' }, 'REPLY'),
        ' ',
        h('span', { class: 'wire-what' }, `${RESPONSE_TYPES[e.type] ?? `type ${e.type}`} via ${e.via}`),
      );
    case 'voice':
      return h(
        'li',
        { class: `wire-row gateway ${e.direction}` },
        time,
        h('span', { class: 'wire-kind' }, e.direction === 'out' ? 'VOICE →' : 'VOICE ←'),
        ' ',
        h('span', { class: 'wire-what' }, e.op === -1 ? `closed ${e.d?.close} ${e.d?.reason ?? ''}` : `op ${e.op}${e.op === 5 ? ` speaking ${e.d?.speaking}` : ''}`),
      );
    default:
      return h('li', { class: 'wire-row control' }, time, h('span', { class: 'wire-kind' }, 'YOU'), ' ', h('span', { class: 'wire-what' }, e.action));
  }
}

/**
 * Connects the panel to `/control/events`; `onEvent` hears every event (the page refreshes on them).
 * @param {{ list: HTMLElement, filters: HTMLElement, nameOf: (id: string) => string, onEvent: (e: any) => void }} opts
 */
export function startWire({ list, filters, nameOf, onEvent }) {
  /** @type {Record<string, boolean>} */
  const shown = {};
  /** @type {any[]} */
  const events = [];
  const boxes = /** @type {HTMLInputElement[]} */ ([...filters.querySelectorAll('input[data-filter]')]);
  const readFilters = () => boxes.forEach((b) => (shown[b.dataset.filter ?? ''] = b.checked));
  const visible = (e) => shown[category(e)] ?? true;
  const redraw = () =>
    replace(
      list,
      events
        .filter(visible)
        .slice(-MAX_ROWS)
        .reverse()
        .map((e) => row(e, nameOf)),
    );
  readFilters();
  boxes.forEach((b) => b.addEventListener('change', () => (readFilters(), redraw())));

  const source = new EventSource('/control/events?replay=200');
  let opened = false;
  // After a reconnect the emulator replays its recent events again: start the list afresh.
  source.addEventListener('open', () => {
    if (opened) {
      events.length = 0;
      list.replaceChildren();
    }
    opened = true;
  });
  const listener = (/** @type {MessageEvent} */ msg) => {
    const e = JSON.parse(msg.data);
    events.push(e);
    if (events.length > MAX_ROWS * 4) events.splice(0, events.length - MAX_ROWS * 4);
    if (visible(e)) {
      list.prepend(row(e, nameOf));
      while (list.childElementCount > MAX_ROWS) list.lastElementChild?.remove();
    }
    onEvent(e);
  };
  for (const kind of ['rest', 'gateway', 'gateway-close', 'interaction', 'interaction-response', 'control', 'voice']) source.addEventListener(kind, listener);
  return { source, redraw };
}
