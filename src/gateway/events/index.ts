import type { GatewayDispatchPayload } from 'discord-api-types/v10';
import type { EventHandler } from './handler.js';
import type { App } from '../../shared/app.js';
import { reactionAdd } from './reaction-add.js';
import { reactionRemove } from './reaction-remove.js';
import { reactionRemoveAll, reactionRemoveEmoji } from './reactions-cleared.js';
import { reconcileReactions } from './reconcile-reactions.js';
import { channelCreate, channelDelete, channelUpdate } from './channel.js';
import { guildCreate } from './guild-create.js';
import { guildDelete } from './guild-delete.js';
import { guildRoleCreate, guildRoleDelete, guildRoleUpdate } from './guild-role.js';
import { guildUpdate } from './guild-update.js';
import { ready } from './ready.js';
import { voiceStateUpdate } from './voice-state.js';

export type { EventHandler } from './handler.js';

/** Every event rollcall acts on, one handler file each. */
const handlers: EventHandler<any>[] = [
  reactionAdd,
  reactionRemove,
  reactionRemoveAll,
  reactionRemoveEmoji,
  ready,
  guildCreate,
  guildUpdate,
  guildDelete,
  guildRoleCreate,
  guildRoleUpdate,
  guildRoleDelete,
  channelCreate,
  channelUpdate,
  channelDelete,
  voiceStateUpdate,
];

/** Things to repair after a fresh (non-resumed) session, when events may have been missed. */
const onFreshSession: ((app: App) => unknown)[] = [reconcileReactions];

/** Dispatch handlers by event name; each translates a payload into a service call. */
export function dispatchHandlers(app: App) {
  const byName = new Map<string, EventHandler[]>();
  for (const h of handlers) byName.set(h.event, [...(byName.get(h.event) ?? []), h]);
  return {
    async dispatch(payload: GatewayDispatchPayload) {
      for (const h of byName.get(payload.t) ?? []) await h.handle(app, payload);
    },
    async onFreshSession() {
      for (const repair of onFreshSession) await repair(app);
    },
  };
}
