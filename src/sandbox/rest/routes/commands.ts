/**
 * Application commands, global and per guild. Bulk overwrite keeps a command's id when a command of
 * the same name and type existed, and bumps `version` only when the definition changed.
 * @see https://discord.com/developers/docs/interactions/application-commands#bulk-overwrite-global-application-commands
 * @see https://discord.com/developers/docs/interactions/application-commands#application-command-object
 */
import { fieldError, invalidFormBody, mergeFormErrors, missingAccess, unknownCommand, type FormErrors } from '../../errors.js';
import type { CommandRecord, World } from '../../state/world.js';
import { botGuild } from '../access.js';
import { json, noContent, type RouteContext, type RouteDef } from '../router.js';

const NAME = /^[-_'\p{L}\p{N}\p{sc=Devanagari}\p{sc=Thai}]{1,32}$/u;

function checkName(errors: FormErrors, path: (string | number)[], name: unknown, lowercase: boolean): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    mergeFormErrors(errors, fieldError([...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', `Command name is invalid`));
  } else if (lowercase && name !== name.toLowerCase()) {
    mergeFormErrors(errors, fieldError([...path, 'name'], 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid'));
  }
}

function checkDescription(errors: FormErrors, path: (string | number)[], description: unknown): void {
  if (typeof description !== 'string' || description.length < 1 || description.length > 100) {
    mergeFormErrors(errors, fieldError([...path, 'description'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 100 in length.'));
  }
}

function checkOptions(errors: FormErrors, path: (string | number)[], options: unknown): void {
  if (options === undefined || options === null) return;
  if (!Array.isArray(options)) {
    mergeFormErrors(errors, fieldError([...path, 'options'], 'BASE_TYPE_LIST', 'Must be an array.'));
    return;
  }
  if (options.length > 25) mergeFormErrors(errors, fieldError([...path, 'options'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.'));
  let sawOptional = false;
  const names = new Set<string>();
  options.forEach((o: any, i) => {
    const p = [...path, 'options', i];
    checkName(errors, p, o?.name, true);
    checkDescription(errors, p, o?.description);
    if (typeof o?.type !== 'number' || o.type < 1 || o.type > 11) mergeFormErrors(errors, fieldError([...p, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11).'));
    if (names.has(o?.name)) mergeFormErrors(errors, fieldError([...p, 'name'], 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', 'Option name already exists'));
    names.add(o?.name);
    if (o?.type >= 3) {
      if (o.required) {
        if (sawOptional) mergeFormErrors(errors, fieldError([...p, 'required'], 'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID', 'Required options must be placed before non-required options'));
      } else sawOptional = true;
    }
    if (Array.isArray(o?.choices) && o.choices.length > 25) mergeFormErrors(errors, fieldError([...p, 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.'));
    if (o?.autocomplete && Array.isArray(o?.choices) && o.choices.length > 0) {
      mergeFormErrors(errors, fieldError([...p, 'autocomplete'], 'APPLICATION_COMMAND_OPTION_CHOICES_AUTOCOMPLETE', 'Autocomplete cannot be set if there are choices.'));
    }
    if (o?.type === 1 || o?.type === 2) checkOptions(errors, p, o.options);
  });
}

/** Validates one command definition; returns errors (empty when fine). */
function checkCommand(body: any, path: (string | number)[]): FormErrors {
  const errors: FormErrors = {};
  if (typeof body !== 'object' || body === null) return fieldError(path, 'MODEL_TYPE_CONVERT', 'Only dictionaries may be used in a ModelType');
  const type = body.type ?? 1;
  checkName(errors, path, body.name, type === 1);
  if (type === 1) {
    checkDescription(errors, path, body.description);
    checkOptions(errors, path, body.options);
  }
  return errors;
}

function scopeOf(ctx: RouteContext): { scope: string; guildId: string | null } {
  const { world, params } = ctx;
  if (params.application_id !== world.application.id) throw missingAccess();
  if (params.guild_id) {
    botGuild(world, params.guild_id);
    return { scope: params.guild_id, guildId: params.guild_id };
  }
  return { scope: 'global', guildId: null };
}

function normalizedBody(body: any): CommandRecord['body'] {
  const type = body.type ?? 1;
  return { ...body, type, name: body.name, description: type === 1 ? body.description : '' };
}

/** Stores one definition in a scope, keeping the id for the same name+type. */
function upsert(world: World, scope: string, guildId: string | null, raw: any, existing: CommandRecord[]): CommandRecord {
  const body = normalizedBody(raw);
  const key = `${scope}:${body.type}:${body.name}`;
  let id = world.commandIds.get(key);
  if (!id) {
    id = world.ids.next();
    world.commandIds.set(key, id);
  }
  const before = existing.find((c) => c.id === id);
  const version = before && JSON.stringify(before.body) === JSON.stringify(body) ? before.version : world.ids.next();
  return { id, guildId, version, body };
}

export function commandJson(world: World, c: CommandRecord): Record<string, unknown> {
  const b = c.body as Record<string, any>;
  const json: Record<string, unknown> = {
    id: c.id,
    application_id: world.application.id,
    version: c.version,
    default_member_permissions: b.default_member_permissions ?? null,
    type: b.type,
    name: b.name,
    name_localizations: b.name_localizations ?? null,
    description: b.description ?? '',
    description_localizations: b.description_localizations ?? null,
    nsfw: b.nsfw ?? false,
    contexts: b.contexts ?? null,
    integration_types: b.integration_types ?? [0],
  };
  if (c.guildId) json.guild_id = c.guildId;
  else json.dm_permission = b.dm_permission ?? true;
  if (Array.isArray(b.options)) json.options = b.options;
  return json;
}

function list(world: World, scope: string): CommandRecord[] {
  return world.commands.get(scope) ?? [];
}

function findCommand(world: World, scope: string, id: string): CommandRecord {
  const c = list(world, scope).find((x) => x.id === id);
  if (!c) throw unknownCommand();
  return c;
}

function routesFor(base: string): RouteDef[] {
  return [
    {
      method: 'GET',
      path: base,
      handler: (ctx) => json(list(ctx.world, scopeOf(ctx).scope).map((c) => commandJson(ctx.world, c))),
    },
    {
      method: 'PUT',
      path: base,
      handler: (ctx) => {
        const { scope, guildId } = scopeOf(ctx);
        if (!Array.isArray(ctx.body)) throw invalidFormBody(fieldError([], 'BASE_TYPE_LIST', 'Must be an array.'));
        if (ctx.body.length > 100) throw invalidFormBody(fieldError([], 'BASE_TYPE_MAX_LENGTH', 'Must be 100 or fewer in length.'));
        const errors: FormErrors = {};
        const seen = new Set<string>();
        ctx.body.forEach((b: any, i: number) => {
          mergeFormErrors(errors, checkCommand(b, [i]));
          const key = `${b?.type ?? 1}:${b?.name}`;
          if (seen.has(key)) mergeFormErrors(errors, fieldError([i, 'name'], 'APPLICATION_COMMANDS_DUPLICATE_NAME', `Application command names must be unique`));
          seen.add(key);
        });
        if (Object.keys(errors).length > 0) throw invalidFormBody(errors);
        const existing = list(ctx.world, scope);
        const next = ctx.body.map((b: any) => upsert(ctx.world, scope, guildId, b, existing));
        ctx.world.commands.set(scope, next);
        return json(next.map((c) => commandJson(ctx.world, c)));
      },
    },
    {
      method: 'POST',
      path: base,
      handler: (ctx) => {
        const { scope, guildId } = scopeOf(ctx);
        const errors = checkCommand(ctx.body, []);
        if (Object.keys(errors).length > 0) throw invalidFormBody(errors);
        const existing = list(ctx.world, scope);
        const record = upsert(ctx.world, scope, guildId, ctx.body, existing);
        const replaced = existing.some((c) => c.id === record.id);
        ctx.world.commands.set(scope, [...existing.filter((c) => c.id !== record.id), record]);
        return json(commandJson(ctx.world, record), replaced ? 200 : 201);
      },
    },
    {
      method: 'GET',
      path: `${base}/:command_id`,
      handler: (ctx) => json(commandJson(ctx.world, findCommand(ctx.world, scopeOf(ctx).scope, ctx.params.command_id as string))),
    },
    {
      method: 'DELETE',
      path: `${base}/:command_id`,
      handler: (ctx) => {
        const { scope } = scopeOf(ctx);
        const c = findCommand(ctx.world, scope, ctx.params.command_id as string);
        ctx.world.commands.set(
          scope,
          list(ctx.world, scope).filter((x) => x !== c),
        );
        return noContent();
      },
    },
  ];
}

export const commandRoutes: RouteDef[] = [...routesFor('/applications/:application_id/commands'), ...routesFor('/applications/:application_id/guilds/:guild_id/commands')];
