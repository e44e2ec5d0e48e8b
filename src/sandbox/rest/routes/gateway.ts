/**
 * Gateway discovery.
 * @see https://discord.com/developers/docs/events/gateway#get-gateway
 * @see https://discord.com/developers/docs/events/gateway#get-gateway-bot (the recommended `shards`
 * and the session starts left: `ws-gateway/sharding.ts`)
 */
import { json, type RouteDef } from '../router.js';

export const gatewayRoutes: RouteDef[] = [
  { method: 'GET', path: '/gateway', auth: 'none', handler: ({ deps }) => json({ url: deps.gatewayUrl() }) },
  {
    method: 'GET',
    path: '/gateway/bot',
    handler: ({ deps }) => json({ url: deps.gatewayUrl(), ...deps.gatewayBot() }),
  },
];
