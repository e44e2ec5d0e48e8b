import { RESTEvents, type REST } from '@discordjs/rest';
import { metrics } from '../metrics.js';

let inFlight = 0;

/**
 * Discord REST requests this process has started and not finished: waiting for rollcall's own
 * per-channel budget (limiter.ts), in @discordjs/rest's per-route queue, paused for a rate limit, or
 * on the wire (what `/healthz` calls the REST queue depth). @discordjs/rest keeps its queues
 * private, so the façade counts around `request()` and around the budget's wait.
 */
export function restInFlight(): number {
  return inFlight;
}

/** Counts `work` as one queued request while it runs. */
export async function countQueued<T>(work: () => Promise<T>): Promise<T> {
  inFlight += 1;
  try {
    return await work();
  } finally {
    inFlight -= 1;
  }
}

/**
 * Counts every Discord REST response (by method, rate-limit route and status), the 429s among
 * them, and every pause @discordjs/rest takes for a rate limit. Routes are the bucket routes
 * (`/channels/:id/messages`), so the number of series stays small.
 * @see https://discord.com/developers/docs/topics/rate-limits
 */
export function countRestTraffic(rest: REST): REST {
  // get/post/patch/put/delete all go through request().
  const request = rest.request.bind(rest);
  rest.request = (options) => countQueued(() => request(options));
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
