// @ts-check
/* global document, window, localStorage, URLSearchParams, URL, CSS, setTimeout, clearTimeout, setInterval */
import { control, ApiError } from './api.js';
import { startComposer } from './composer.js';
import { h, hex, replace } from './dom.js';
import { markdown } from './markdown.js';
import { startWire } from './wire.js';

/**
 * The sandbox page: the fixture guild as a Discord member sees it, acted on as any member, with
 * the bot's clock and the wire in view. State comes from `/control/view`; every wire event
 * (SSE) triggers a refresh, so the page follows what the bot does without reloads.
 */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

const state = {
  /** @type {any} */ view: null,
  /** @type {any[]} */ messages: [],
  channelId: '',
  as: new URLSearchParams(window.location.search).get('as') ?? localStorage.getItem('rollcall-sandbox-as') ?? 'alice',
  /** @type {any} */ clock: null,
  clockFetchedAt: 0,
  /** Messages the member dismissed (ephemeral replies), by id. @type {Set<string>} */ dismissed: new Set(),
  /** Page-side notices (refusals the Discord client shows itself), per channel. @type {{ id: string, channelId: string, as: string, text: string }[]} */ notices: [],
  /** The select menu open on screen, `messageId:customId`, and its ticked values. */
  openSelect: '',
  /** @type {Set<string>} */ picked: new Set(),
  lastSignature: '',
  /** Message ids already on screen, so only new ones are announced to screen readers. @type {Set<string> | null} */
  seen: null,
};

const me = () => state.view?.members.find((/** @type {any} */ m) => m.key === state.as || m.id === state.as) ?? null;
const memberById = (/** @type {string} */ id) => state.view?.members.find((/** @type {any} */ m) => m.id === id) ?? null;
const nameOf = (/** @type {string} */ id) => memberById(id)?.name ?? id;
const sandboxNow = () => (state.clock ? state.clock.now + (Date.now() - state.clockFetchedAt) : Date.now());

/** @type {import('./markdown.js').Names} */
const names = {
  userName: (id) => memberById(id)?.name ?? null,
  userColor: (id) => memberById(id)?.color ?? 0,
  channelName: (id) => state.view?.channels.find((/** @type {any} */ c) => c.id === id)?.name ?? null,
  role: (id) => state.view?.roles.find((/** @type {any} */ r) => r.id === id) ?? null,
  now: sandboxNow,
};

let statusTimer = 0;
/** A short note in the header; it fades after a while so it never describes an old state. */
function status(/** @type {string} */ text) {
  $('status').textContent = text;
  clearTimeout(statusTimer);
  if (text) statusTimer = setTimeout(() => ($('status').textContent = ''), 6000);
}

/** Runs an action; a failure is said in the status line instead of thrown. @param {() => Promise<unknown>} action */
async function act(action) {
  try {
    await action();
  } catch (e) {
    status(`⚠️ ${/** @type {Error} */ (e).message}`);
  }
}

// ── fetching ──────────────────────────────────────────────────────────────────

let refreshTimer = 0;
/** Coalesces bursts of wire events into one refresh. */
function scheduleRefresh(delay = 60) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => void refresh(), delay);
}

let refreshes = 0;
async function refresh() {
  // Overlapping refreshes: only the newest one draws, so a slow answer never paints an old state.
  const mine = ++refreshes;
  const query = `as=${encodeURIComponent(state.as)}`;
  const view = await control(`/view?${query}${state.channelId ? `&channel=${state.channelId}` : ''}`);
  if (!state.channelId || (state.channelId !== view.dmChannelId && !view.channels.some((/** @type {any} */ c) => c.id === state.channelId))) {
    const tonight = view.channels.find((/** @type {any} */ c) => c.name === 'tonight') ?? view.channels.find((/** @type {any} */ c) => c.kind === 'text');
    state.channelId = tonight?.id ?? '';
  }
  const messages = state.channelId ? await control(`/view/messages?channel=${state.channelId}&${query}`) : [];
  if (mine !== refreshes) return;
  state.view = view;
  state.messages = messages;
  render();
}

async function refreshClock() {
  try {
    state.clock = await control('/clock');
    state.clockFetchedAt = Date.now();
    $('clock').hidden = false;
    $('clock-next-post').textContent = `Next post time (${state.clock.postTime})`;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404)
      $('clock').hidden = true; // the emulator alone has no bot clock
    else throw e;
  }
  renderClock();
}

// ── rendering ─────────────────────────────────────────────────────────────────

/** Keeps keyboard focus on "the same" control across a re-render (by its data-key). @param {() => void} draw */
function keepingFocus(draw) {
  const active = /** @type {HTMLElement | null} */ (document.activeElement);
  const key = active?.dataset?.key;
  draw();
  if (key) /** @type {HTMLElement | null} */ (document.querySelector(`[data-key="${CSS.escape(key)}"]`))?.focus();
}

function render() {
  const view = state.view;
  if (!view) return;
  $('guild-name').textContent = view.guild.name;
  document.title = `#${names.channelName(state.channelId) ?? ''} · ${view.guild.name} · rollcall sandbox`;
  renderActAs();
  keepingFocus(() => {
    renderChannels();
    renderMe();
    renderMessages();
  });
  renderCounters();
}

function renderActAs() {
  const select = /** @type {HTMLSelectElement} */ ($('act-as'));
  const people = state.view.members.filter((/** @type {any} */ m) => !m.bot);
  const signature = people.map((/** @type {any} */ m) => m.id + m.name).join();
  if (select.dataset.signature !== signature) {
    select.dataset.signature = signature;
    replace(
      select,
      people.map((/** @type {any} */ m) => h('option', { value: m.key ?? m.id }, `${m.name} (${m.username})${m.admin ? ' — admin' : ''}`)),
    );
  }
  select.value = state.as;
}

/** @param {any} m @param {string} [size] */
function avatar(m, size = '') {
  const color = m?.color ? hex(m.color) : '#5865f2';
  return h('span', { class: `avatar ${size}`, style: { background: color }, 'aria-hidden': 'true' }, (m?.name ?? '?').slice(0, 1).toUpperCase());
}

function renderChannels() {
  const view = state.view;
  const voiceOf = (/** @type {string} */ channelId) => view.voice.filter((/** @type {any} */ v) => v.channelId === channelId);
  /** Play buttons for what the emulator heard in a voice channel (the bot's greetings), newest first. */
  const heard = (/** @type {string} */ channelId) => {
    const said = view.utterances
      .filter((/** @type {any} */ u) => u.channelId === channelId)
      .slice(-3)
      .reverse();
    if (said.length === 0) return null;
    return h(
      'ul',
      { class: 'voice-heard', 'aria-label': 'Heard in this channel' },
      said.map((/** @type {any} */ u) =>
        h(
          'li',
          null,
          h(
            'button',
            {
              type: 'button',
              class: 'play',
              'aria-label': `Play what ${memberById(u.userId)?.name ?? u.userId} said (${(u.durationMs / 1000).toFixed(1)} s)`,
              onclick: () => void new window.Audio(`/control/voice/utterances/${u.n}.wav`).play(),
            },
            '▶',
          ),
          ` ${memberById(u.userId)?.name ?? u.userId} · ${(u.durationMs / 1000).toFixed(1)} s${u.dave ? ' · 🔒 E2EE' : ''}`,
        ),
      ),
    );
  };
  const myVoice = view.voice.find((/** @type {any} */ v) => v.userId === me()?.id);
  const byParent = (/** @type {string | null} */ parentId) =>
    view.channels.filter((/** @type {any} */ c) => c.parentId === parentId && c.kind !== 'category').sort((/** @type {any} */ a, /** @type {any} */ b) => a.position - b.position);
  /** @param {any} c */
  const channel = (c) => {
    if (c.kind === 'text') {
      const current = c.id === state.channelId;
      return h(
        'li',
        null,
        h(
          'button',
          {
            type: 'button',
            class: `channel text${current ? ' current' : ''}`,
            'aria-current': current ? 'page' : null,
            dataset: { key: `ch-${c.id}` },
            onclick: () =>
              act(async () => {
                state.channelId = c.id;
                state.lastSignature = '';
                state.seen = null;
                await refresh();
              }),
          },
          h('span', { 'aria-hidden': 'true', class: 'hash' }, '#'),
          ` ${c.name}`,
        ),
      );
    }
    const here = voiceOf(c.id);
    const inside = myVoice?.channelId === c.id;
    return h(
      'li',
      null,
      h(
        'button',
        {
          type: 'button',
          class: `channel voice${inside ? ' connected' : ''}`,
          dataset: { key: `ch-${c.id}` },
          disabled: inside,
          'aria-label': inside ? `${c.name}: you are here` : `Join voice channel ${c.name}${c.id === view.guild.afkChannelId ? ' (AFK)' : ''}`,
          onclick: () => act(() => control('/voice/join', { user: state.as, channel: c.id, selfMute: myVoice?.selfMute ?? false, selfDeaf: myVoice?.selfDeaf ?? false })),
        },
        h('span', { 'aria-hidden': 'true' }, '🔊'),
        ` ${c.name}`,
        c.id === view.guild.afkChannelId && !/afk/i.test(c.name) ? h('span', { class: 'muted' }, ' · AFK') : null,
      ),
      here.length
        ? h(
            'ul',
            { class: 'voice-members', 'aria-label': `In ${c.name}` },
            here.map((/** @type {any} */ v) => {
              const m = memberById(v.userId);
              const flags = [v.selfDeaf || v.deaf ? ['🔇', 'deafened'] : null, v.selfMute || v.mute ? ['🎙️‍', 'muted'] : null].filter(Boolean);
              return h(
                'li',
                { class: `voice-member${v.speaking ? ' speaking' : ''}`, title: v.speaking ? `${m?.name ?? v.userId} is speaking` : undefined },
                avatar(m, 'tiny'),
                ` ${m?.name ?? v.userId}`,
                flags.map((f) => h('span', { class: `voice-flag ${f?.[1]}`, title: f?.[1], 'aria-label': f?.[1] }, f?.[1] === 'muted' ? '🚫🎙' : '🔇')),
              );
            }),
          )
        : null,
      heard(c.id),
    );
  };
  const categories = view.channels.filter((/** @type {any} */ c) => c.kind === 'category').sort((/** @type {any} */ a, /** @type {any} */ b) => a.position - b.position);
  const dm = view.dmChannelId
    ? h(
        'section',
        { class: 'category', 'aria-label': 'Direct messages' },
        h('h2', { class: 'category-name' }, 'Direct messages'),
        h(
          'ul',
          { class: 'channel-list' },
          h(
            'li',
            null,
            h(
              'button',
              {
                type: 'button',
                class: `channel text${state.channelId === view.dmChannelId ? ' current' : ''}`,
                'aria-current': state.channelId === view.dmChannelId ? 'page' : null,
                dataset: { key: 'ch-dm' },
                onclick: () =>
                  act(async () => {
                    state.channelId = view.dmChannelId;
                    state.lastSignature = '';
                    state.seen = null;
                    await refresh();
                  }),
              },
              `@${view.appName}`,
            ),
          ),
        ),
      )
    : null;
  replace(
    $('channels'),
    byParent(null).length ? h('ul', { class: 'channel-list' }, byParent(null).map(channel)) : null,
    categories.map((/** @type {any} */ cat) =>
      h('section', { class: 'category', 'aria-label': cat.name }, h('h2', { class: 'category-name' }, cat.name), h('ul', { class: 'channel-list' }, byParent(cat.id).map(channel))),
    ),
    dm,
  );
}

function renderMe() {
  const m = me();
  const v = state.view.voice.find((/** @type {any} */ x) => x.userId === m?.id);
  replace($('me-avatar'), (m?.name ?? '?').slice(0, 1).toUpperCase());
  $('me-avatar').style.background = m?.color ? hex(m.color) : '#5865f2';
  $('me-name').textContent = m ? `${m.name}${m.admin ? ' (admin)' : ''}` : state.as;
  const channelName = v ? names.channelName(v.channelId) : null;
  $('me-voice').textContent = v ? `In 🔊 ${channelName}${v.selfDeaf ? ' · deafened' : v.selfMute ? ' · muted' : ''}` : 'Not in voice — click a voice channel to join';
  const mute = /** @type {HTMLButtonElement} */ ($('voice-mute'));
  const deaf = /** @type {HTMLButtonElement} */ ($('voice-deaf'));
  const leave = /** @type {HTMLButtonElement} */ ($('voice-leave'));
  for (const b of [mute, deaf, leave]) b.disabled = !v;
  mute.setAttribute('aria-pressed', String(!!v?.selfMute));
  deaf.setAttribute('aria-pressed', String(!!v?.selfDeaf));
  mute.textContent = v?.selfMute ? 'Unmute' : 'Mute';
  deaf.textContent = v?.selfDeaf ? 'Undeafen' : 'Deafen';
}

/** Discord's relative calendar label for a message time, in the viewer's zone. @param {string} iso */
function messageTime(iso) {
  const d = new Date(iso);
  const today = new Date(sandboxNow()).toDateString() === d.toDateString();
  const time = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' }).format(d);
  return today ? `Today at ${time}` : `${new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(d)} ${time}`;
}

const BUTTON_STYLES = { 1: 'primary', 2: 'secondary', 3: 'success', 4: 'danger', 5: 'link' };

/** @param {any} msg @param {any} c */
function component(msg, c) {
  if (c.type === 1)
    return h(
      'div',
      { class: 'action-row' },
      (c.components ?? []).map((/** @type {any} */ x) => component(msg, x)),
    );
  const key = `${msg.id}:${c.custom_id ?? c.url}`;
  if (c.type === 2) {
    if (c.style === 5) return h('a', { class: 'button link', href: c.url, target: '_blank', rel: 'noopener noreferrer' }, c.emoji?.name ? `${c.emoji.name} ` : '', c.label ?? '');
    return h(
      'button',
      {
        type: 'button',
        class: `button ${BUTTON_STYLES[c.style] ?? 'secondary'}`,
        disabled: !!c.disabled,
        dataset: { key },
        onclick: () => act(() => interact('/components/button', { message: msg.id, customId: c.custom_id })),
      },
      c.emoji?.name ? `${c.emoji.name} ` : '',
      c.label ?? '',
    );
  }
  if (c.type === 3) return selectMenu(msg, c, key);
  return h('span', { class: 'muted' }, `(component type ${c.type} is not shown in the sandbox)`);
}

/**
 * A string select as Discord draws it: a box that opens a list of options; with several values
 * allowed, ticking happens locally and the choice is sent when the list closes (here: "Done").
 * @param {any} msg @param {any} c @param {string} key
 */
function selectMenu(msg, c, key) {
  const open = state.openSelect === key;
  const multi = (c.max_values ?? 1) > 1;
  const defaults = (c.options ?? []).filter((/** @type {any} */ o) => o.default);
  const summary = defaults.length ? defaults.map((/** @type {any} */ o) => o.label).join(', ') : (c.placeholder ?? 'Make a selection');
  const listId = `select-${key.replace(/[^\w-]/g, '_')}`;
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'select-toggle',
      'aria-haspopup': 'listbox',
      'aria-expanded': String(open),
      'aria-controls': open ? listId : null,
      'aria-label': `${c.placeholder ?? 'Select'}: ${summary}`,
      dataset: { key },
      disabled: !!c.disabled,
      onclick: () => {
        state.openSelect = open ? '' : key;
        state.picked = new Set(defaults.map((/** @type {any} */ o) => o.value));
        keepingFocus(renderMessages);
      },
    },
    h('span', { class: defaults.length ? '' : 'muted' }, summary),
    h('span', { 'aria-hidden': 'true' }, open ? ' ▴' : ' ▾'),
  );
  if (!open) return h('div', { class: 'select' }, toggle);
  const send = (/** @type {string[]} */ values) =>
    act(async () => {
      state.openSelect = '';
      await interact('/components/select', { message: msg.id, customId: c.custom_id, values });
    });
  const options = (c.options ?? []).map((/** @type {any} */ o) =>
    multi
      ? h(
          'li',
          null,
          h(
            'label',
            { class: 'select-option' },
            h('input', {
              type: 'checkbox',
              value: o.value,
              checked: state.picked.has(o.value),
              dataset: { key: `${key}:${o.value}` },
              onchange: (/** @type {Event} */ e) => {
                const box = /** @type {HTMLInputElement} */ (e.target);
                if (box.checked) state.picked.add(o.value);
                else state.picked.delete(o.value);
              },
            }),
            ` ${o.label}`,
            o.description ? h('span', { class: 'muted' }, ` — ${o.description}`) : null,
          ),
        )
      : h('li', null, h('button', { type: 'button', class: 'select-option', dataset: { key: `${key}:${o.value}` }, onclick: () => send([o.value]) }, o.label)),
  );
  return h(
    'div',
    { class: 'select open' },
    toggle,
    h(
      'div',
      { class: 'select-popup', id: listId },
      h('ul', { class: 'select-options', 'aria-label': c.placeholder ?? 'Options' }, options),
      multi
        ? h(
            'div',
            { class: 'select-actions' },
            h('span', { class: 'muted' }, `Pick ${c.min_values ?? 1}–${c.max_values}`),
            h('button', { type: 'button', class: 'button primary', dataset: { key: `${key}:done` }, onclick: () => send([...state.picked]) }, 'Done'),
            h(
              'button',
              {
                type: 'button',
                class: 'button secondary',
                onclick: () => {
                  state.openSelect = '';
                  keepingFocus(renderMessages);
                },
              },
              'Cancel',
            ),
          )
        : null,
    ),
  );
}

/** @param {any} msg @param {any} r */
function reaction(msg, r) {
  const emoji = r.emoji.id ? `${r.emoji.name}:${r.emoji.id}` : r.emoji.name;
  const label = r.emoji.id ? `:${r.emoji.name}:` : r.emoji.name;
  const who = r.users.join(', ');
  return h(
    'li',
    { class: 'reaction-item' },
    h(
      'button',
      {
        type: 'button',
        class: `reaction${r.me ? ' me' : ''}`,
        'aria-pressed': String(r.me),
        dataset: { key: `${msg.id}:r:${emoji}` },
        'aria-label': `${label} ${r.count} — ${who}. ${r.me ? 'Click to remove your reaction' : 'Click to react'}`,
        onclick: () => act(() => control(r.me ? '/unreact' : '/react', { user: state.as, channel: state.channelId, message: msg.id, emoji })),
      },
      h('span', { class: 'reaction-emoji', 'aria-hidden': 'true' }, label),
      h('span', { class: 'reaction-count', 'aria-hidden': 'true' }, String(r.count)),
    ),
    h('span', { class: 'reaction-who', role: 'tooltip' }, who),
  );
}

/** Emoji offered besides the message's own reactions (any emoji works on Discord; these show what the bot does with them). */
const PALETTE = ['👍', '🎉', '❤️', '😂'];

/** The "add a reaction" picker: a small palette of emoji and the guild's own. @param {any} msg */
function addReaction(msg) {
  const key = `${msg.id}:add`;
  const open = state.openSelect === key;
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'reaction add',
      'aria-expanded': String(open),
      'aria-label': 'Add a reaction',
      title: 'Add a reaction',
      dataset: { key },
      onclick: () => {
        state.openSelect = open ? '' : key;
        keepingFocus(renderMessages);
      },
    },
    '+',
    h('span', { 'aria-hidden': 'true' }, '🙂'),
  );
  if (!open) return toggle;
  const choices = [...PALETTE.map((e) => ({ emoji: e, label: e })), ...state.view.emojis.map((/** @type {any} */ e) => ({ emoji: `${e.name}:${e.id}`, label: `:${e.name}:` }))];
  return h(
    'span',
    { class: 'palette-wrap' },
    toggle,
    h(
      'span',
      { class: 'palette', role: 'group', 'aria-label': 'Pick a reaction' },
      choices.map((c) =>
        h(
          'button',
          {
            type: 'button',
            class: 'reaction',
            dataset: { key: `${key}:${c.emoji}` },
            'aria-label': `React with ${c.label}`,
            onclick: () =>
              act(async () => {
                state.openSelect = '';
                await control('/react', { user: state.as, channel: state.channelId, message: msg.id, emoji: c.emoji });
              }),
          },
          c.label,
        ),
      ),
    ),
  );
}

/** @param {any} msg */
function messageItem(msg) {
  const author = msg.author;
  const body = [];
  if (msg.loading) body.push(h('p', { class: 'md-line muted thinking' }, `${author.name} is thinking…`));
  else body.push(...markdown(msg.content, names));
  for (const e of msg.embeds ?? []) {
    body.push(
      h(
        'div',
        { class: 'embed', style: e.color ? { borderLeftColor: hex(e.color) } : null },
        e.title ? h('p', { class: 'embed-title' }, e.title) : null,
        e.description ? h('div', null, markdown(e.description, names)) : null,
        (e.fields ?? []).map((/** @type {any} */ f) => h('div', { class: 'embed-field' }, h('strong', null, f.name), h('div', null, markdown(f.value, names)))),
        e.image?.url ? h('img', { src: e.image.url.replace(/^https?:\/\/127\.0\.0\.1:\d+/, ''), alt: e.title ?? 'embedded image' }) : null,
      ),
    );
  }
  for (const a of msg.attachments) {
    body.push(
      a.contentType?.startsWith('image/')
        ? h('a', { href: a.url, target: '_blank', class: 'attachment-image' }, h('img', { src: a.url, alt: `Attachment ${a.filename}`, loading: 'lazy' }))
        : h('a', { href: a.url, class: 'attachment-file', download: a.filename }, `📎 ${a.filename} (${Math.ceil(a.size / 1024)} KB)`),
    );
  }
  const components = msg.components?.length
    ? h(
        'div',
        { class: 'components' },
        msg.components.map((/** @type {any} */ c) => component(msg, c)),
      )
    : null;
  const reactions = msg.ephemeral
    ? null
    : h(
        'ul',
        { class: 'reactions', 'aria-label': 'Reactions' },
        msg.reactions.map((/** @type {any} */ r) => reaction(msg, r)),
        h('li', null, addReaction(msg)),
      );
  return h(
    'li',
    { class: `message${msg.ephemeral ? ' ephemeral' : ''}${msg.mentionsMe ? ' mentioned' : ''}`, id: `message-${msg.id}`, dataset: { messageId: msg.id } },
    msg.interaction ? h('p', { class: 'used-command muted' }, `${msg.interaction.user} used `, h('span', { class: 'command-name' }, `/${msg.interaction.name}`)) : null,
    h(
      'div',
      { class: 'message-main' },
      avatar(author),
      h(
        'div',
        { class: 'message-body' },
        h(
          'p',
          { class: 'message-head' },
          h('span', { class: 'author', style: author.color ? { color: hex(author.color) } : null }, author.name),
          author.bot ? h('span', { class: 'bot-tag' }, 'APP') : null,
          h('time', { class: 'message-time muted', datetime: msg.timestamp, title: new Date(msg.timestamp).toLocaleString() }, messageTime(msg.timestamp)),
          msg.editedTimestamp ? h('span', { class: 'muted edited', title: new Date(msg.editedTimestamp).toLocaleString() }, '(edited)') : null,
        ),
        h('div', { class: 'content' }, body),
        components,
        reactions,
        msg.ephemeral ? ephemeralNote(() => state.dismissed.add(msg.id)) : null,
      ),
    ),
  );
}

/**
 * "Only you can see this · Dismiss message", as Discord shows under an ephemeral reply.
 * @param {() => void} dismiss
 */
function ephemeralNote(dismiss) {
  return h(
    'p',
    { class: 'ephemeral-note muted' },
    '👁 Only you can see this · ',
    h(
      'button',
      {
        type: 'button',
        class: 'linklike',
        onclick: () => {
          dismiss();
          keepingFocus(renderMessages);
        },
      },
      'Dismiss message',
    ),
  );
}

function renderMessages() {
  const channel = state.view.channels.find((/** @type {any} */ c) => c.id === state.channelId);
  $('channel-title').textContent = channel ? `# ${channel.name}` : state.channelId === state.view.dmChannelId ? `@${state.view.appName} — direct messages` : '';
  $('channel-topic').textContent = channel?.topic ?? '';
  const notices = state.notices.filter((n) => n.channelId === state.channelId && n.as === state.as);
  const shown = state.messages.filter((m) => !state.dismissed.has(m.id));
  const signature = JSON.stringify([shown, notices, state.openSelect, state.as, Math.floor(sandboxNow() / 60_000)]);
  if (signature === state.lastSignature) return;
  state.lastSignature = signature;
  const list = $('messages');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  replace(
    list,
    shown.length === 0 && notices.length === 0 ? h('li', { class: 'empty muted' }, 'No messages here yet.') : null,
    shown.map(messageItem),
    notices.map((n) =>
      h(
        'li',
        { class: 'message ephemeral notice', id: n.id },
        h(
          'div',
          { class: 'message-main' },
          h('span', { class: 'avatar', 'aria-hidden': 'true' }, '⚠'),
          h(
            'div',
            { class: 'message-body' },
            h('p', { class: 'message-head' }, h('span', { class: 'author' }, 'Discord'), h('span', { class: 'bot-tag' }, 'SYSTEM')),
            h('div', { class: 'content' }, h('p', { class: 'md-line' }, n.text)),
            ephemeralNote(() => (state.notices = state.notices.filter((x) => x !== n))),
          ),
        ),
      ),
    ),
  );
  if (atBottom) list.scrollTop = list.scrollHeight;
  // The list is redrawn whole; a live region says only what is new, as Discord's "new message" does.
  const fresh = shown.filter((m) => state.seen && !state.seen.has(m.id));
  if (fresh.length) $('announce').textContent = fresh.map((m) => `New message from ${m.author.name}`).join('. ');
  state.seen = new Set(shown.map((m) => m.id));
}

function renderCounters() {
  const c = state.view.counters;
  const requests = Object.values(c.requests).reduce((/** @type {number} */ a, /** @type {any} */ b) => a + b, 0);
  replace(
    $('counters'),
    [
      ['REST calls', requests],
      ['429s', c.rateLimited],
      ['Dispatches', c.dispatches],
      ['Interactions', c.interactions],
      ['Edits', c.edits],
    ].map(([k, v]) => h('div', { class: `counter${k === '429s' && Number(v) > 0 ? ' alert' : ''}` }, h('dt', null, k), h('dd', { 'data-counter': k }, String(v)))),
  );
}

function renderClock() {
  const el = $('clock-now');
  if (!state.clock) return;
  const now = new Date(sandboxNow());
  el.textContent = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }).format(now);
  el.setAttribute('datetime', now.toISOString());
  const guildTime = new Intl.DateTimeFormat(undefined, { timeZone: state.clock.zone, hour: 'numeric', minute: '2-digit' }).format(now);
  $('clock-zone').textContent = `(your time · ${guildTime} in ${state.clock.zone})`;
}

/**
 * What `npm run sandbox -- --verbose` prints, for scripting with curl: the control API and its wire
 * log, the emulator's REST and gateway, the bot's interactions endpoint and health check, the key
 * the emulator signs interactions with. Read once: none of it changes while the page is open.
 */
async function renderEndpoints() {
  const s = await control('/state');
  const origin = window.location.origin;
  const bot = typeof s.interactionsUrl === 'string' ? s.interactionsUrl : null;
  const rows = [
    ['Control', `${origin}/control`],
    ['Wire log (SSE)', `${origin}/control/events`],
    ['REST', s.api],
    ['Gateway', s.gateway],
    ['Bot', bot ?? 'not set'],
    ['Bot health', bot?.endsWith('/interactions') ? bot.replace(/\/interactions$/, '/healthz') : null],
    ['Public key', s.publicKey],
  ].filter(([, v]) => v);
  replace(
    $('endpoint-list'),
    rows.map(([k, v]) => [h('dt', null, k), h('dd', { 'data-endpoint': k }, String(v))]),
  );
}

// ── acting ────────────────────────────────────────────────────────────────────

/** A component interaction as the acting member; the reply arrives over the wire. @param {string} path @param {object} body */
async function interact(path, body) {
  const result = await control(path, { user: state.as, waitMs: 0, ...body });
  if (result.error) notice(failed(result.error));
}

/** What the Discord client itself says when a member may not use a command. @param {string} name @param {string} error */
function refusal(name, error) {
  if (/default_member_permissions/.test(error)) {
    return `You don't have permission to use /${name}. It needs the Manage Server permission, so Discord does not even list it for ${me()?.name ?? state.as}.`;
  }
  return `/${name} could not be sent: ${error}`;
}

/** Discord's words when the bot does not answer an interaction in time (or answers wrongly). @param {string} error */
function failed(error) {
  return `The application did not respond (${error}). In Discord: "This interaction failed".`;
}

function notice(/** @type {string} */ text) {
  state.notices.push({ id: `notice-${Date.now()}`, channelId: state.channelId, as: state.as, text });
  keepingFocus(renderMessages);
  const list = $('messages');
  list.scrollTop = list.scrollHeight;
}

async function runCommand(/** @type {string} */ name, /** @type {any[]} */ options) {
  status(`Running /${name}…`);
  try {
    const result = await control('/commands/run', { user: state.as, name, options, channel: state.channelId, waitMs: 0 });
    if (result.error) {
      status('');
      notice(failed(result.error));
    } else status(`/${name} sent`);
  } catch (e) {
    status('');
    notice(refusal(name, /** @type {Error} */ (e).message));
  }
}

async function moveClock(/** @type {object} */ body) {
  const buttons = /** @type {HTMLButtonElement[]} */ ([...document.querySelectorAll('#clock button')]);
  buttons.forEach((b) => (b.disabled = true));
  status('Moving the clock…');
  try {
    state.clock = await control('/clock', body);
    state.clockFetchedAt = Date.now();
    renderClock();
    status(`Clock moved to ${$('clock-now').textContent}`);
    await refresh();
  } catch (e) {
    status(`⚠️ ${/** @type {Error} */ (e).message}`);
  } finally {
    buttons.forEach((b) => (b.disabled = false));
  }
}

/** Esc closes an open select menu or reaction palette and puts focus back on its button. */
function closeOnEscape(/** @type {KeyboardEvent} */ e) {
  if (e.key !== 'Escape' || !state.openSelect) return;
  const key = state.openSelect;
  state.openSelect = '';
  renderMessages();
  /** @type {HTMLElement | null} */ (document.querySelector(`[data-key="${CSS.escape(key)}"]`))?.focus();
}

function setAs(/** @type {string} */ key) {
  state.as = key;
  localStorage.setItem('rollcall-sandbox-as', key);
  const url = new URL(window.location.href);
  url.searchParams.set('as', key);
  window.history.replaceState(null, '', url);
  state.openSelect = '';
  state.seen = null;
  void act(refresh);
}

function wire() {
  document.addEventListener('keydown', closeOnEscape);
  $('act-as').addEventListener('change', (e) => setAs(/** @type {HTMLSelectElement} */ (e.target).value));
  $('voice-mute').addEventListener('click', () => act(() => control('/voice/flags', { user: state.as, selfMute: $('voice-mute').getAttribute('aria-pressed') !== 'true' })));
  $('voice-deaf').addEventListener('click', () => {
    const deaf = $('voice-deaf').getAttribute('aria-pressed') !== 'true';
    return act(() => control('/voice/flags', { user: state.as, selfDeaf: deaf, selfMute: deaf }));
  });
  $('voice-leave').addEventListener('click', () => act(() => control('/voice/leave', { user: state.as })));
  $('clock-next-post').addEventListener('click', () => moveClock({ to: 'next-post' }));
  $('clock-next-hour').addEventListener('click', () => moveClock({ to: 'next-hour' }));
  $('clock-advance').addEventListener('click', () => {
    const minutes = Number(/** @type {HTMLInputElement} */ ($('clock-minutes')).value);
    if (!Number.isFinite(minutes) || minutes <= 0) return status('⚠️ Minutes must be a positive number');
    return moveClock({ advanceMs: Math.round(minutes * 60_000) });
  });
  $('fault-drop').addEventListener('click', () => act(async () => status(`Dropped ${(await control('/gateway/drop', { resumable: true })).dropped} gateway connection(s); the bot should resume`)));
  $('fault-429').addEventListener('click', () => act(async () => (await control('/faults', { route: '*', status: 429, count: 3, retryAfter: 1 }), status('The next 3 REST calls will get 429'))));
  $('fault-500').addEventListener('click', () => act(async () => (await control('/faults', { route: '*', status: 500, count: 1 }), status('The next REST call will get 500'))));

  startComposer({
    form: /** @type {HTMLFormElement} */ ($('composer')),
    input: /** @type {HTMLInputElement} */ ($('composer-input')),
    list: $('suggestions'),
    hint: $('composer-hint'),
    guild: () => state.view,
    autocomplete: (p, options) => control('/autocomplete', { user: state.as, name: p.command.name, options, channel: state.channelId }),
    run: runCommand,
    notice,
  });
  startWire({
    list: $('wire-log'),
    filters: /** @type {HTMLElement} */ (document.querySelector('.filters')),
    nameOf,
    onEvent: (e) => {
      if (e.kind === 'gateway' && (e.op === 1 || e.op === 11)) return;
      if (e.kind === 'rest' && e.method === 'GET') return;
      scheduleRefresh();
      if (e.kind === 'control' && e.action === 'POST /clock') void refreshClock();
    },
  });
  setInterval(renderClock, 1000);
  // Relative times and "Today at" follow the clock even when nothing else happens.
  setInterval(() => state.view && keepingFocus(renderMessages), 30_000);
}

wire();
await act(async () => {
  await refreshClock();
  await refresh();
  await renderEndpoints();
  document.body.dataset.ready = 'true';
});
