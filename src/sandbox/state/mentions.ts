/**
 * Who a message pings, decided as Discord decides it: the mentions written in its content, limited
 * by `allowed_mentions` (absent = every mention in the content pings). Tests read the result as the
 * message's `mentions`, `mention_roles` and `mention_everyone`.
 * @see https://discord.com/developers/docs/resources/message#allowed-mentions-object
 */
import { fieldError, mergeFormErrors, type FormErrors } from '../errors.js';
import { isSnowflake } from '../snowflake.js';
import type { World } from './world.js';

export interface AllowedMentionsInput {
  parse?: unknown;
  users?: unknown;
  roles?: unknown;
  replied_user?: unknown;
}

export interface ResolvedMentions {
  userIds: string[];
  roleIds: string[];
  everyone: boolean;
}

const PARSE_TYPES = new Set(['users', 'roles', 'everyone']);

/** Discord's checks of `allowed_mentions` (50035): known parse types, id lists of ≤ 100 snowflakes, `parse` and a list not both. */
export function checkAllowedMentions(errors: FormErrors, am: unknown): void {
  if (am === undefined || am === null) return;
  if (typeof am !== 'object' || Array.isArray(am)) {
    mergeFormErrors(errors, fieldError(['allowed_mentions'], 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType'));
    return;
  }
  const a = am as AllowedMentionsInput;
  const parse = a.parse === undefined ? [] : a.parse;
  if (!Array.isArray(parse)) mergeFormErrors(errors, fieldError(['allowed_mentions', 'parse'], 'BASE_TYPE_LIST', 'Must be an array.'));
  else
    parse.forEach(
      (p: unknown, i) =>
        PARSE_TYPES.has(p as string) || mergeFormErrors(errors, fieldError(['allowed_mentions', 'parse', i], 'BASE_TYPE_CHOICES', `Value must be one of {'everyone', 'roles', 'users'}.`)),
    );
  for (const key of ['users', 'roles'] as const) {
    const list = a[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      mergeFormErrors(errors, fieldError(['allowed_mentions', key], 'BASE_TYPE_LIST', 'Must be an array.'));
      continue;
    }
    if (list.length > 100) mergeFormErrors(errors, fieldError(['allowed_mentions', key], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.'));
    list.forEach((id: unknown, i) => isSnowflake(id) || mergeFormErrors(errors, fieldError(['allowed_mentions', key, i], 'NUMBER_TYPE_COERCE', `Value "${String(id)}" is not snowflake.`)));
    if (Array.isArray(parse) && parse.includes(key) && list.length > 0) {
      mergeFormErrors(errors, fieldError(['allowed_mentions'], 'MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE', `parse:["${key}"] and ${key}: [ids] are mutually exclusive.`));
    }
  }
}

/** The users, roles and @everyone a message with this content and `allowed_mentions` pings. */
export function resolveMentions(world: World, guildId: string | null, content: string, am: AllowedMentionsInput | null | undefined): ResolvedMentions {
  const written = {
    users: [...new Set([...content.matchAll(/<@!?(\d{1,20})>/g)].map((m) => m[1]!))],
    roles: [...new Set([...content.matchAll(/<@&(\d{1,20})>/g)].map((m) => m[1]!))],
    everyone: /@(everyone|here)\b/.test(content),
  };
  const parse = am ? (Array.isArray(am.parse) ? (am.parse as string[]) : []) : ['users', 'roles', 'everyone'];
  const listed = (key: 'users' | 'roles') => new Set(am && Array.isArray(am[key]) ? (am[key] as string[]) : []);
  const users = listed('users');
  const roles = listed('roles');
  const guildRoles = guildId ? world.guild(guildId).roles : new Map();
  return {
    userIds: written.users.filter((id) => (parse.includes('users') || users.has(id)) && world.users.has(id)),
    roleIds: written.roles.filter((id) => (parse.includes('roles') || roles.has(id)) && guildRoles.has(id)),
    everyone: written.everyone && parse.includes('everyone'),
  };
}
