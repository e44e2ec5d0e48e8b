import type { APIApplicationCommand, RESTPutAPIApplicationCommandsJSONBody } from 'discord-api-types/v10';
import type { DiscordApi } from '../shared/discord/rest.js';

type Desired = RESTPutAPIApplicationCommandsJSONBody[number];

export interface RegistrationPlan {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
  /** For each changed command, the top-level fields that differ (`options` for anything inside them). */
  differences: Record<string, string[]>;
}

/**
 * What Discord stores for a field left out, so "absent" on one side and Discord's default on the
 * other compare equal, and a field dropped from a definition compares as a change.
 * @see https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-structure
 */
const COMMAND_DEFAULTS: Record<string, unknown> = {
  type: 1,
  name_localizations: null,
  description: '',
  description_localizations: null,
  options: [],
  default_member_permissions: null,
  nsfw: false,
  contexts: null,
  integration_types: [0],
};
/** @see https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-option-structure */
const OPTION_DEFAULTS: Record<string, unknown> = { name_localizations: null, description_localizations: null, required: false, autocomplete: false };
const CHOICE_DEFAULTS: Record<string, unknown> = { name_localizations: null };
/** Fields only Discord sets (ids, versions), deprecated ones it derives from others, and per-locale renderings. */
const IGNORED = new Set(['id', 'application_id', 'guild_id', 'version', 'dm_permission', 'default_permission', 'name_localized', 'description_localized']);
/** Empty lists Discord leaves out. */
const EMPTY_MEANS_ABSENT = new Set(['options', 'choices', 'channel_types']);

/**
 * A canonical form for comparison: every field of either side, absent ones at Discord's default,
 * Discord-only fields dropped, keys sorted.
 */
function canonical(value: Record<string, unknown>, defaults: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const merged: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(value)) if (v !== undefined) merged[k] = v;
  for (const key of Object.keys(merged).sort()) {
    if (IGNORED.has(key)) continue;
    const v = merged[key];
    if (EMPTY_MEANS_ABSENT.has(key) && Array.isArray(v)) {
      if (v.length === 0) continue;
      out[key] = key === 'channel_types' ? v : v.map((item: unknown) => canonical(item as Record<string, unknown>, key === 'choices' ? CHOICE_DEFAULTS : OPTION_DEFAULTS));
    } else {
      out[key] = v;
    }
  }
  return out;
}

const keyOf = (c: { name: string; type?: number }) => `${c.type ?? 1}:${c.name}`;

/** The top-level fields where `desired` and `existing` differ, over the union of both sides' fields. */
export function commandDifferences(existing: APIApplicationCommand, desired: Desired): string[] {
  const want = canonical(desired as unknown as Record<string, unknown>, COMMAND_DEFAULTS);
  const have = canonical(existing as unknown as Record<string, unknown>, COMMAND_DEFAULTS);
  const keys = [...new Set([...Object.keys(want), ...Object.keys(have)])].sort();
  return keys.filter((k) => JSON.stringify(want[k]) !== JSON.stringify(have[k]));
}

/** What a bulk overwrite with `desired` would change, compared with what Discord has. */
export function planRegistration(existing: readonly APIApplicationCommand[], desired: readonly Desired[]): RegistrationPlan {
  const plan: RegistrationPlan = { added: [], changed: [], removed: [], unchanged: [], differences: {} };
  const current = new Map(existing.map((c) => [keyOf(c), c]));
  for (const d of desired) {
    const before = current.get(keyOf(d));
    current.delete(keyOf(d));
    if (!before) {
      plan.added.push(d.name);
      continue;
    }
    const differences = commandDifferences(before, d);
    if (differences.length === 0) plan.unchanged.push(d.name);
    else {
      plan.changed.push(d.name);
      plan.differences[d.name] = differences;
    }
  }
  plan.removed.push(...[...current.values()].map((c) => c.name));
  return plan;
}

export function describePlan(plan: RegistrationPlan, scope: string): string {
  const lines = [`Commands (${scope}):`];
  for (const n of plan.added) lines.push(`  + ${n} (new)`);
  for (const n of plan.changed) lines.push(`  ~ ${n} (changed: ${(plan.differences[n] ?? []).join(', ')})`);
  for (const n of plan.removed) lines.push(`  - ${n} (removed)`);
  for (const n of plan.unchanged) lines.push(`  = ${n}`);
  return lines.join('\n');
}

/**
 * Reads what is registered, prints the plan, and bulk-overwrites only when something differs, so a
 * second run is a no-op. `guildId` scopes it to one server (instant; global commands can take time).
 * @see https://discord.com/developers/docs/interactions/application-commands#bulk-overwrite-global-application-commands
 */
export async function registerCommands(discord: DiscordApi, desired: readonly Desired[], guildId: string | undefined, print: (line: string) => void): Promise<RegistrationPlan> {
  const scope = guildId ? `guild ${guildId}` : 'global';
  const plan = planRegistration(await discord.getCommands(guildId), desired);
  print(describePlan(plan, scope));
  if (plan.added.length + plan.changed.length + plan.removed.length === 0) {
    print('Nothing to change.');
    return plan;
  }
  await discord.putCommands([...desired], guildId);
  print(`Registered ${desired.length} command(s).`);
  return plan;
}
