/**
 * The bot's own user and application, other users, DM channels.
 * @see https://discord.com/developers/docs/resources/user
 * @see https://discord.com/developers/docs/resources/application#get-current-application
 */
import { fieldError, invalidFormBody } from '../../errors.js';
import { isSnowflake } from '../../snowflake.js';
import { channelJson, userJson } from '../../state/serialize.js';
import { json, type RouteContext, type RouteDef } from '../router.js';

function applicationJson({ world, deps }: RouteContext) {
  const app = world.application;
  return json({
    id: app.id,
    name: app.name,
    icon: null,
    description: app.description,
    summary: '',
    type: null,
    bot: userJson(world, world.botUserId),
    bot_public: true,
    bot_require_code_grant: false,
    verify_key: deps.publicKey,
    flags: deps.privilegedIntentFlags(),
    hook: true,
    is_monetized: false,
    interactions_endpoint_url: deps.interactionsUrl(),
    approximate_guild_count: world.guilds.size,
    team: null,
  });
}

export const userRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/users/@me',
    handler: ({ world }) => json({ ...userJson(world, world.botUserId), verified: true, mfa_enabled: false, email: null, locale: 'en-US' }),
  },
  { method: 'GET', path: '/users/:user_id', handler: ({ world, params }) => json(userJson(world, params.user_id as string)) },
  {
    method: 'GET',
    path: '/users/@me/guilds',
    handler: ({ world }) =>
      json(
        [...world.guilds.values()].map((g) => ({
          id: g.id,
          name: g.name,
          icon: null,
          banner: null,
          owner: g.ownerId === world.botUserId,
          permissions: world.guildPermissions(g.id, world.botUserId).toString(),
          features: [],
        })),
      ),
  },
  {
    method: 'POST',
    path: '/users/@me/channels',
    handler: ({ world, body }) => {
      const recipient = (body as { recipient_id?: unknown } | null)?.recipient_id;
      if (!isSnowflake(recipient)) {
        throw invalidFormBody(fieldError(['recipient_id'], 'NUMBER_TYPE_COERCE', `Value "${String(recipient)}" is not snowflake.`));
      }
      return json(channelJson(world, world.dmChannel(recipient)));
    },
  },
  { method: 'GET', path: '/applications/@me', handler: applicationJson },
  { method: 'GET', path: '/oauth2/applications/@me', handler: applicationJson },
];
