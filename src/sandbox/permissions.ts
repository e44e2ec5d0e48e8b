/**
 * Permission computation exactly as Discord describes it: base permissions from @everyone and the
 * member's roles, Administrator grants everything, then channel overwrites (@everyone, roles, member).
 * @see https://discord.com/developers/docs/topics/permissions#permission-overwrites
 */
import { PermissionFlagsBits } from 'discord-api-types/v10';

/** Every permission bit Discord defines. */
export const ALL_PERMISSIONS: bigint = Object.values(PermissionFlagsBits).reduce((all, bit) => all | bit, 0n);

export interface Overwrite {
  id: string;
  /** 0 = role, 1 = member */
  type: 0 | 1;
  allow: bigint;
  deny: bigint;
}

export interface PermissionSubject {
  guildId: string;
  ownerId: string;
  userId: string;
  /** Role ids of the member (without @everyone). */
  roleIds: string[];
  /** Permissions by role id, including the @everyone role (id = guild id). */
  rolePermissions: (roleId: string) => bigint;
}

/** Guild-level permissions of a member. */
export function basePermissions(s: PermissionSubject): bigint {
  if (s.userId === s.ownerId) return ALL_PERMISSIONS;
  let permissions = s.rolePermissions(s.guildId);
  for (const roleId of s.roleIds) permissions |= s.rolePermissions(roleId);
  return (permissions & PermissionFlagsBits.Administrator) === PermissionFlagsBits.Administrator ? ALL_PERMISSIONS : permissions;
}

/** Permissions of a member in a channel with the given overwrites. */
export function channelPermissions(s: PermissionSubject, overwrites: readonly Overwrite[]): bigint {
  let permissions = basePermissions(s);
  if (has(permissions, PermissionFlagsBits.Administrator)) return ALL_PERMISSIONS;
  const everyone = overwrites.find((o) => o.id === s.guildId);
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;
  let allow = 0n;
  let deny = 0n;
  for (const o of overwrites) {
    if (o.type === 0 && s.roleIds.includes(o.id)) {
      allow |= o.allow;
      deny |= o.deny;
    }
  }
  permissions = (permissions & ~deny) | allow;
  const own = overwrites.find((o) => o.type === 1 && o.id === s.userId);
  if (own) permissions = (permissions & ~own.deny) | own.allow;
  return permissions;
}

/** Whether `permissions` contains every bit of `required`. */
export function has(permissions: bigint, required: bigint): boolean {
  return (permissions & required) === required;
}
