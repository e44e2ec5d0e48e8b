/**
 * What a member can actually use, checked like the Discord client would: a registered command they
 * may see (`default_member_permissions`), a component that exists, is enabled and is of the right
 * kind, and select values that are options within min/max.
 * @see https://discord.com/developers/docs/interactions/application-commands#permissions
 * @see https://discord.com/developers/docs/components/reference#string-select
 */
import { ComponentType } from 'discord-api-types/v10';
import { unknownMessage } from '../errors.js';
import { has } from '../permissions.js';
import type { CommandRecord, MessageRecord, World } from '../state/world.js';

/** The chat-input command a member would see in this channel (guild commands first, then global). */
export function usableCommand(world: World, userId: string, name: string, channelId: string): CommandRecord {
  const guildId = world.channel(channelId).guildId;
  for (const scope of guildId ? [guildId, 'global'] : ['global']) {
    const found = (world.commands.get(scope) ?? []).find((c) => c.body.name === name && (c.body.type ?? 1) === 1);
    if (!found) continue;
    const required = (found.body as { default_member_permissions?: string | null }).default_member_permissions;
    if (guildId && required !== undefined && required !== null && !has(world.permissionsIn(channelId, userId), BigInt(required))) {
      throw new Error(`member ${userId} cannot use /${name}: default_member_permissions ${required} not met`);
    }
    return found;
  }
  throw new Error(`/${name} is not registered for this guild or globally (register it with PUT /applications/${world.application.id}/commands first)`);
}

export interface FoundComponent {
  type: number;
  options?: { value: string }[];
  min_values?: number;
  max_values?: number;
  disabled?: boolean;
}

/** Finds a component by custom_id anywhere in a component tree (rows, sections' accessories). */
export function findComponent(components: unknown[], customId: string): FoundComponent | undefined {
  for (const c of components as any[]) {
    if (c?.custom_id === customId) return c;
    const nested = [...(Array.isArray(c?.components) ? c.components : []), ...(c?.accessory ? [c.accessory] : [])];
    const found = findComponent(nested, customId);
    if (found) return found;
  }
  return undefined;
}

const SELECTS: number[] = [ComponentType.StringSelect, ComponentType.UserSelect, ComponentType.RoleSelect, ComponentType.MentionableSelect, ComponentType.ChannelSelect];

/** The message and component a member interacts with (errors say what a test got wrong). */
export function usableComponent(world: World, userId: string, messageId: string, customId: string, kind: 'select' | 'button'): { message: MessageRecord; component: FoundComponent } {
  const message = world.findMessage(messageId);
  if (message.ephemeralFor && message.ephemeralFor !== userId) throw unknownMessage();
  const component = findComponent(message.components, customId);
  if (!component) throw new Error(`message ${messageId} has no component with custom_id "${customId}"`);
  if (component.disabled) throw new Error(`component "${customId}" is disabled`);
  if (kind === 'select' && !SELECTS.includes(component.type)) throw new Error(`component "${customId}" is not a select menu`);
  if (kind === 'button' && component.type !== ComponentType.Button) throw new Error(`component "${customId}" is not a button`);
  return { message, component };
}

/** Values a member can pick: options of a string select, between min_values and max_values. */
export function checkSelectValues(component: FoundComponent, customId: string, values: string[]): void {
  if (component.type === ComponentType.StringSelect) {
    const allowed = new Set((component.options ?? []).map((o) => o.value));
    const bad = values.filter((v) => !allowed.has(v));
    if (bad.length > 0) throw new Error(`values ${bad.join(', ')} are not options of "${customId}"`);
  }
  const min = component.min_values ?? 1;
  const max = component.max_values ?? 1;
  if (values.length < min || values.length > max) throw new Error(`"${customId}" takes between ${min} and ${max} values, got ${values.length}`);
}
