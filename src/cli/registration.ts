import type { APIApplicationCommand, RESTPutAPIApplicationCommandsJSONBody } from 'discord-api-types/v10';
import type { DiscordApi } from '../shared/discord/rest.js';

type Desired = RESTPutAPIApplicationCommandsJSONBody[number];

export interface RegistrationPlan {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
}

/** Fields Discord fills in with defaults when we leave them out; compared as if we had sent them. */
const OPTION_DEFAULTS: Record<string, unknown> = { required: false, autocomplete: false };
const COMMAND_DEFAULTS: Record<string, unknown> = { type: 1, nsfw: false, default_member_permissions: null };
/** Fields only Discord sets (ids, versions) or that we never send. */
const IGNORED = new Set(['id', 'application_id', 'guild_id', 'version', 'dm_permission', 'name_localized', 'description_localized']);

/** A canonical form for comparison: defaults applied, Discord-only fields dropped, keys sorted. */
function canonical(value: unknown, defaults: Record<string, unknown> = {}): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, OPTION_DEFAULTS));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const merged = { ...defaults, ...(value as Record<string, unknown>) };
  for (const key of Object.keys(merged).sort()) {
    const v = merged[key];
    if (IGNORED.has(key) || v === undefined) continue;
    if ((key === 'name_localizations' || key === 'description_localizations') && v === null) continue;
    if (key === 'options' && Array.isArray(v) && v.length === 0) continue;
    out[key] = canonical(v, OPTION_DEFAULTS);
  }
  return out;
}

const keyOf = (c: { name: string; type?: number }) => `${c.type ?? 1}:${c.name}`;

/** What a bulk overwrite with `desired` would change, compared with what Discord has. */
export function planRegistration(existing: readonly APIApplicationCommand[], desired: readonly Desired[]): RegistrationPlan {
  const plan: RegistrationPlan = { added: [], changed: [], removed: [], unchanged: [] };
  const current = new Map(existing.map((c) => [keyOf(c), c]));
  for (const d of desired) {
    const before = current.get(keyOf(d));
    current.delete(keyOf(d));
    if (!before) plan.added.push(d.name);
    else {
      // Compare only what we send: Discord may add fields (contexts, integration_types) we left out.
      const sent = canonical(d, COMMAND_DEFAULTS) as Record<string, unknown>;
      const have = canonical(before, COMMAND_DEFAULTS) as Record<string, unknown>;
      const same = Object.keys(sent).every((k) => JSON.stringify(sent[k]) === JSON.stringify(have[k]));
      (same ? plan.unchanged : plan.changed).push(d.name);
    }
  }
  plan.removed.push(...[...current.values()].map((c) => c.name));
  return plan;
}

export function describePlan(plan: RegistrationPlan, scope: string): string {
  const lines = [`Commands (${scope}):`];
  for (const n of plan.added) lines.push(`  + ${n} (new)`);
  for (const n of plan.changed) lines.push(`  ~ ${n} (changed)`);
  for (const n of plan.removed) lines.push(`  - ${n} (removed)`);
  for (const n of plan.unchanged) lines.push(`  = ${n}`);
  return lines.join('\n');
}

/**
 * Reads what is registered, prints the plan, and bulk-overwrites only when something differs, so a
 * second run is a no-op. `guildId` scopes it to one server (instant; global commands can take time).
 * @see https://discord.com/developers/docs/interactions/application-commands#bulk-overwrite-global-application-commands
 */
export async function registerCommands(
  discord: DiscordApi,
  desired: readonly Desired[],
  guildId: string | undefined,
  print: (line: string) => void,
): Promise<RegistrationPlan> {
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
