import { RESTEvents, type REST } from '@discordjs/rest';
import { metrics } from '../metrics.js';

/**
 * Counts every Discord REST response (by method, rate-limit route and status), the 429s among
 * them, and every pause @discordjs/rest takes for a rate limit. Routes are the bucket routes
 * (`/channels/:id/messages`), so the number of series stays small.
 * @see https://discord.com/developers/docs/topics/rate-limits
 */
export function countRestTraffic(rest: REST): REST {
  rest.on(RESTEvents.Response, (request, response) => {
    const route = request.route;
    metrics.restResponses.inc({ method: request.method.toUpperCase(), route, status: String(response.status) });
    if (response.status === 429) metrics.rest429.inc({ route });
  });
  rest.on(RESTEvents.RateLimited, (info) => {
    metrics.restRateLimitWaits.inc({ route: info.route, global: String(info.global) });
  });
  return rest;
}
