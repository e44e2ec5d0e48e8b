/**
 * Interaction callback and the interaction webhook (follow-ups, `@original`). No bot token needed:
 * the interaction token is the credential. Not bound to the global rate limit.
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#create-interaction-response
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#edit-original-interaction-response
 * @see https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message
 */
import { DiscordError } from '../../errors.js';
import { messageJson } from '../../state/serialize.js';
import { deleteMessage } from '../../state/messages.js';
import type { MessageInput } from '../../state/validate.js';
import { Buckets } from '../rate-limits.js';
import { json, noContent, type RouteContext, type RouteDef } from '../router.js';

const input = (body: unknown): MessageInput => (body && typeof body === 'object' ? body : {}) as MessageInput;

function record(ctx: RouteContext) {
  return ctx.deps.interactions.forWebhook(ctx.params.webhook_id as string, ctx.params.token as string);
}

const WEBHOOK = '/webhooks/:webhook_id/:token';
const webhookRoute = (def: Omit<RouteDef, 'auth' | 'globalExempt' | 'bucket' | 'idWords'>): RouteDef => ({
  ...def,
  auth: 'none',
  globalExempt: true,
  bucket: Buckets.webhook,
  idWords: { message_id: ['@original'] },
});

export const interactionRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/interactions/:interaction_id/:token/callback',
    auth: 'none',
    globalExempt: true,
    bucket: Buckets.interactionCallback,
    handler: (ctx) => {
      const { interactions } = ctx.deps;
      const r = interactions.forCallback(ctx.params.interaction_id as string, ctx.params.token as string);
      try {
        interactions.respond(r, (ctx.body ?? {}) as { type?: unknown; data?: unknown }, ctx.files, 'callback');
      } catch (error) {
        // A second answer (40060) leaves the first one standing; any other refusal is what the member sees.
        if (error instanceof DiscordError && !r.response) interactions.refuse(r, error);
        throw error;
      }
      if (ctx.query.get('with_response') !== 'true') return noContent();
      const message = r.originalMessageId ? ctx.world.messages.get(r.originalMessageId) : undefined;
      return json({
        interaction: {
          id: r.id,
          type: r.type,
          activity_instance_id: null,
          response_message_id: message?.id ?? null,
          response_message_loading: message ? (message.flags & 128) !== 0 : false,
          response_message_ephemeral: message ? (message.flags & 64) !== 0 : false,
        },
        resource: message ? { type: r.response?.type, message: messageJson(ctx.world, message, ctx.world.botUserId) } : { type: r.response?.type },
      });
    },
  },
  webhookRoute({
    method: 'POST',
    path: WEBHOOK,
    handler: (ctx) => {
      const message = ctx.deps.interactions.followup(record(ctx), input(ctx.body), ctx.files);
      return json(messageJson(ctx.world, message, ctx.world.botUserId));
    },
  }),
  webhookRoute({
    method: 'GET',
    path: `${WEBHOOK}/messages/:message_id`,
    handler: (ctx) => json(messageJson(ctx.world, ctx.deps.interactions.webhookMessage(record(ctx), ctx.params.message_id as string), ctx.world.botUserId)),
  }),
  webhookRoute({
    method: 'PATCH',
    path: `${WEBHOOK}/messages/:message_id`,
    handler: (ctx) => {
      const message = ctx.deps.interactions.edit(record(ctx), ctx.params.message_id as string, input(ctx.body), ctx.files);
      return json(messageJson(ctx.world, message, ctx.world.botUserId));
    },
  }),
  webhookRoute({
    method: 'DELETE',
    path: `${WEBHOOK}/messages/:message_id`,
    handler: (ctx) => {
      const message = ctx.deps.interactions.webhookMessage(record(ctx), ctx.params.message_id as string);
      deleteMessage(ctx.world, message);
      return noContent();
    },
  }),
];
