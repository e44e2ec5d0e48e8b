// @ts-check
/* global setTimeout */
import { h, replace } from './dom.js';

/**
 * The slash-command box: `/schedule set`, `/config channel channel:#tonight`,
 * `/timezone set zone:Europe/Paris`. Suggests the commands the acting member may use, their
 * subcommands, options and values (choices, members, channels, and the bot's own autocomplete).
 * Values are single words (Discord's UI has a field per option; a line of text needs a separator).
 */

const T = { SUB: 1, GROUP: 2, STRING: 3, INTEGER: 4, BOOLEAN: 5, USER: 6, CHANNEL: 7, ROLE: 8, MENTIONABLE: 9, NUMBER: 10, ATTACHMENT: 11 };

/**
 * @typedef {{ name: string, description?: string, type: number, required?: boolean, options?: OptionDef[],
 *   choices?: { name: string, value: string | number }[], autocomplete?: boolean, channel_types?: number[] }} OptionDef
 * @typedef {{ name: string, description: string, options: OptionDef[], usable: boolean }} CommandDef
 * @typedef {{ label: string, detail?: string, value: string }} Suggestion
 * @typedef {{ commands: CommandDef[], members: any[], channels: any[], roles: any[] }} Guild
 * @typedef {{ command: CommandDef, path: OptionDef[], leaf: OptionDef[], given: { def: OptionDef, raw: string }[] }} Parsed
 * @typedef {{ error?: string | null, command?: CommandDef, path?: OptionDef[], leaf?: OptionDef[], given?: { def: OptionDef, raw: string }[],
 *   current?: { kind: 'command' | 'sub' | 'option' | 'value', partial: string, options?: OptionDef[], def?: OptionDef, complete?: { def: OptionDef, raw: string } } }} LineState
 */

/** @param {string} s */
const norm = (s) => s.toLowerCase().replace(/\s+/g, '-');

/**
 * Reads the line as far as it goes. `current` is what the caret is in: the command name, a
 * subcommand, an option name or an option's value.
 * @param {string} text @param {Guild} guild
 * @returns {LineState}
 */
export function parseLine(text, guild) {
  const m = /^\/(\S*)(\s?)([\s\S]*)$/.exec(text);
  if (!m) return { error: text.trim() === '' ? null : 'Commands start with /' };
  const [, name = '', space, rest0 = ''] = m;
  if (!space) return { current: { kind: 'command', partial: name } };
  const command = guild.commands.find((c) => c.name === name);
  if (!command) return { error: `There is no /${name} command (${guild.commands.map((c) => `/${c.name}`).join(', ')}).` };
  /** @type {OptionDef[]} */
  let level = command.options ?? [];
  /** @type {OptionDef[]} */
  const path = [];
  let rest = rest0;
  while (level.some((o) => o.type === T.SUB || o.type === T.GROUP)) {
    const t = /^(\S*)(\s?)([\s\S]*)$/.exec(rest);
    const token = t?.[1] ?? '';
    if (!t?.[2]) return { command, path, current: { kind: 'sub', partial: token, options: level } };
    const def = level.find((o) => (o.type === T.SUB || o.type === T.GROUP) && o.name === token);
    if (!def) return { error: `/${[name, ...path.map((p) => p.name)].join(' ')} has no subcommand "${token}".` };
    path.push(def);
    level = def.options ?? [];
    rest = t[3] ?? '';
  }
  const tokens = rest.split(/\s+/);
  const last = tokens.pop() ?? '';
  /** @type {{ def: OptionDef, raw: string }[]} */
  const given = [];
  for (const token of tokens.filter((t) => t !== '')) {
    const [optName = '', ...value] = token.split(':');
    const def = level.find((o) => o.name === optName);
    if (!def || value.length === 0) return { error: `"${token}" is not an option of this command; options are ${level.map((o) => `${o.name}:`).join(' ') || 'none'}` };
    given.push({ def, raw: value.join(':') });
  }
  /** @type {Parsed} */
  const parsed = { command, path, leaf: level, given };
  if (last.includes(':')) {
    const [optName = '', ...value] = last.split(':');
    const def = level.find((o) => o.name === optName);
    if (!def) return { ...parsed, error: `"${optName}" is not an option of this command.` };
    return { ...parsed, current: { kind: 'value', def, partial: value.join(':'), complete: { def, raw: value.join(':') } } };
  }
  return { ...parsed, current: { kind: 'option', partial: last } };
}

/**
 * An option value as Discord sends it, or an error message.
 * @param {OptionDef} def @param {string} raw @param {Guild} guild
 * @returns {{ value: string | number | boolean } | { error: string }}
 */
export function convertValue(def, raw, guild) {
  const member = () => {
    const q = raw.replace(/^@/, '').toLowerCase();
    return guild.members.find((m) => m.id === q || m.key === q || m.username.toLowerCase() === q || norm(m.name) === norm(q));
  };
  const role = () => {
    const q = raw.replace(/^@&?/, '').toLowerCase();
    return guild.roles.find((r) => r.id === q || norm(r.name.replace(/^@/, '')) === norm(q));
  };
  switch (def.type) {
    case T.INTEGER: {
      const n = Number(raw);
      return Number.isInteger(n) && raw !== '' ? { value: n } : { error: `${def.name} must be a whole number` };
    }
    case T.NUMBER: {
      const n = Number(raw);
      return Number.isFinite(n) && raw !== '' ? { value: n } : { error: `${def.name} must be a number` };
    }
    case T.BOOLEAN:
      return raw === 'true' || raw === 'false' ? { value: raw === 'true' } : { error: `${def.name} is true or false` };
    case T.USER: {
      const m = member();
      return m ? { value: m.id } : { error: `no member "${raw}"` };
    }
    case T.CHANNEL: {
      const q = raw.replace(/^#/, '');
      const c = guild.channels.find((ch) => ch.id === q || norm(ch.name) === norm(q));
      return c ? { value: c.id } : { error: `no channel "${raw}"` };
    }
    case T.ROLE: {
      const r = role();
      return r ? { value: r.id } : { error: `no role "${raw}"` };
    }
    case T.MENTIONABLE: {
      const m = member() ?? role();
      return m ? { value: m.id } : { error: `no member or role "${raw}"` };
    }
    case T.ATTACHMENT:
      return { error: 'attachments cannot be sent from the sandbox page' };
    default: {
      const choice = def.choices?.find((c) => String(c.value) === raw || norm(c.name) === norm(raw));
      return { value: choice ? choice.value : raw };
    }
  }
}

/**
 * The options tree for the emulator (`[{ name: 'set', options: [...] }]`), or an error.
 * @param {Parsed} p @param {Guild} guild @param {{ def: OptionDef, raw: string }[]} given
 * @param {{ def: OptionDef, raw: string } | null} focused
 */
export function buildOptions(p, guild, given, focused = null) {
  /** @type {any[]} */
  let options = [];
  for (const g of given) {
    const converted = convertValue(g.def, g.raw, guild);
    if ('error' in converted) return { error: converted.error };
    options.push({ name: g.def.name, value: converted.value });
  }
  if (focused) options.push({ name: focused.def.name, value: focused.raw, focused: true });
  else {
    const missing = p.leaf.filter((o) => o.required && !given.some((g) => g.def.name === o.name));
    if (missing.length) return { error: `Missing ${missing.map((o) => `${o.name}:`).join(', ')} — ${missing.map((o) => o.description).join('; ')}` };
  }
  for (const sub of [...p.path].reverse()) options = [{ name: sub.name, options }];
  return { options };
}

/**
 * Suggestions for where the caret is (without the bot's autocomplete, which is asynchronous).
 * @param {LineState} state @param {Guild} guild @param {string} text
 * @returns {Suggestion[]}
 */
export function localSuggestions(state, guild, text) {
  const cur = state.current;
  if (!cur) return [];
  const before = text.slice(0, text.length - cur.partial.length);
  const starts = (/** @type {string} */ s) => s.toLowerCase().startsWith(cur.partial.toLowerCase());
  switch (cur.kind) {
    case 'command':
      return guild.commands.filter((c) => c.usable && starts(c.name)).map((c) => ({ label: `/${c.name}`, detail: c.description, value: `/${c.name} ` }));
    case 'sub':
      return (cur.options ?? []).filter((o) => (o.type === T.SUB || o.type === T.GROUP) && starts(o.name)).map((o) => ({ label: o.name, detail: o.description, value: `${before}${o.name} ` }));
    case 'option': {
      const used = new Set((state.given ?? []).map((g) => g.def.name));
      return (state.leaf ?? [])
        .filter((o) => !used.has(o.name) && starts(o.name))
        .sort((a, b) => Number(!!b.required) - Number(!!a.required))
        .map((o) => ({ label: `${o.name}:`, detail: `${o.required ? 'required · ' : ''}${o.description ?? ''}`, value: `${before}${o.name}:` }));
    }
    case 'value': {
      const def = /** @type {OptionDef} */ (cur.def);
      const q = cur.partial.replace(/^[@#]&?/, '').toLowerCase();
      const match = (/** @type {string[]} */ ...names) => names.some((n) => n.toLowerCase().includes(q));
      if (def.choices) return def.choices.filter((c) => match(c.name, String(c.value))).map((c) => ({ label: c.name, detail: String(c.value), value: `${before}${c.value} ` }));
      if (def.type === T.BOOLEAN) return ['true', 'false'].filter((b) => b.startsWith(q)).map((b) => ({ label: b, value: `${before}${b} ` }));
      if (def.type === T.USER || def.type === T.MENTIONABLE) {
        return guild.members.filter((m) => match(m.name, m.username, m.key ?? '')).map((m) => ({ label: `@${m.name}`, detail: m.username, value: `${before}@${m.key ?? m.username} ` }));
      }
      if (def.type === T.ROLE) return guild.roles.filter((r) => match(r.name)).map((r) => ({ label: r.name, value: `${before}@${norm(r.name.replace(/^@/, ''))} ` }));
      if (def.type === T.CHANNEL) {
        const kinds = def.channel_types ? new Set(def.channel_types.map((t) => (t === 2 || t === 13 ? 'voice' : t === 4 ? 'category' : 'text'))) : null;
        return guild.channels
          .filter((c) => (!kinds || kinds.has(c.kind)) && match(c.name))
          .map((c) => ({ label: `${c.kind === 'voice' ? '🔊' : '#'} ${c.name}`, detail: c.kind, value: `${before}#${norm(c.name)} ` }));
      }
      return [];
    }
    default:
      return [];
  }
}

/**
 * Wires the form: suggestions as an ARIA listbox under a combobox input.
 * @param {{ form: HTMLFormElement, input: HTMLInputElement, list: HTMLElement, hint: HTMLElement,
 *   guild: () => Guild | null, autocomplete: (p: Parsed, options: any[]) => Promise<{ name: string, value: string | number }[]>,
 *   run: (name: string, options: any[]) => Promise<void>, notice: (text: string) => void }} ui
 */
export function startComposer(ui) {
  /** @type {Suggestion[]} */
  let items = [];
  let active = -1;
  let generation = 0;
  const defaultHint = ui.hint.textContent ?? '';

  const show = (/** @type {Suggestion[]} */ next) => {
    items = next.slice(0, 25);
    active = items.length ? 0 : -1;
    ui.list.hidden = items.length === 0;
    ui.input.setAttribute('aria-expanded', String(items.length > 0));
    replace(
      ui.list,
      items.map((s, i) =>
        h(
          'li',
          { id: `suggestion-${i}`, role: 'option', 'aria-selected': String(i === active), class: 'suggestion', onmousedown: (/** @type {Event} */ e) => (e.preventDefault(), accept(i)) },
          h('span', { class: 'suggestion-label' }, s.label),
          s.detail ? h('span', { class: 'suggestion-detail' }, s.detail) : null,
        ),
      ),
    );
    mark();
  };
  const mark = () => {
    [...ui.list.children].forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
    if (active >= 0) ui.input.setAttribute('aria-activedescendant', `suggestion-${active}`);
    else ui.input.removeAttribute('aria-activedescendant');
    ui.list.children[active]?.scrollIntoView({ block: 'nearest' });
  };
  const accept = (/** @type {number} */ i) => {
    const s = items[i];
    if (!s) return;
    ui.input.value = s.value;
    ui.input.focus();
    update();
  };

  const update = async () => {
    const guild = ui.guild();
    const text = ui.input.value;
    if (!guild || !text.startsWith('/')) {
      show(text === '' || !guild ? [] : []);
      ui.hint.textContent = text && !text.startsWith('/') ? 'Commands start with /' : defaultHint;
      return;
    }
    const state = parseLine(text, guild);
    ui.hint.textContent = state.error ?? (state.current?.kind === 'value' ? (state.current.def?.description ?? '') : defaultHint);
    const local = localSuggestions(state, guild, text);
    show(local);
    const cur = state.current;
    if (cur?.kind === 'value' && cur.def?.autocomplete && state.command && !state.error) {
      const mine = ++generation;
      const built = buildOptions(/** @type {Parsed} */ (state), guild, state.given ?? [], cur.complete ?? null);
      if ('error' in built) return;
      try {
        const choices = await ui.autocomplete(/** @type {Parsed} */ (state), built.options ?? []);
        if (mine !== generation || ui.input.value !== text) return;
        const before = text.slice(0, text.length - cur.partial.length);
        show(choices.map((c) => ({ label: c.name, detail: String(c.value) === c.name ? undefined : String(c.value), value: `${before}${c.value} ` })));
      } catch (e) {
        ui.hint.textContent = `Autocomplete failed: ${/** @type {Error} */ (e).message}`;
      }
    }
  };

  ui.input.addEventListener('input', () => void update());
  ui.input.addEventListener('focus', () => void update());
  ui.input.addEventListener('blur', () => setTimeout(() => show([]), 150));
  ui.input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && items.length) {
      e.preventDefault();
      active = (active + 1) % items.length;
      mark();
    } else if (e.key === 'ArrowUp' && items.length) {
      e.preventDefault();
      active = (active - 1 + items.length) % items.length;
      mark();
    } else if (e.key === 'Tab' && items.length && active >= 0) {
      e.preventDefault();
      accept(active);
    } else if (e.key === 'Enter' && items.length && active >= 0 && items[active]?.value.trim() !== ui.input.value.trim()) {
      e.preventDefault();
      accept(active);
    } else if (e.key === 'Escape') {
      show([]);
    }
  });
  ui.form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const guild = ui.guild();
    const text = ui.input.value.trim();
    if (!guild || !text) return;
    const state = parseLine(`${text} `, guild);
    if (state.error || !state.command) return ui.notice(state.error ?? 'Type a command, e.g. /schedule set');
    if (state.current?.kind === 'sub') return ui.notice(`Pick a subcommand: ${(state.current.options ?? []).map((o) => o.name).join(', ')}`);
    const built = buildOptions(/** @type {Parsed} */ (state), guild, state.given ?? []);
    if ('error' in built) return ui.notice(built.error ?? '');
    show([]);
    ui.input.value = '';
    ui.hint.textContent = defaultHint;
    await ui.run(state.command.name, built.options ?? []);
  });
  return { update };
}
