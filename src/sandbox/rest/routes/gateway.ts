/**
 * Gateway discovery.
 * @see https://discord.com/developers/docs/events/gateway#get-gateway
 * @see https://discord.com/developers/docs/events/gateway#get-gateway-bot
 */
import { json, type RouteDef } from '../router.js';

export const gatewayRoutes: RouteDef[] = [
  { method: 'GET', path: '/gateway', auth: 'none', handler: ({ deps }) => json({ url: deps.gatewayUrl() }) },
  {
    method: 'GET',
    path: '/gateway/bot',
    handler: ({ deps }) =>
      json({
        url: deps.gatewayUrl(),
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      }),
  },
];
