import type { GatewayDispatchEvents, GatewayDispatchPayload } from 'discord-api-types/v10';
import type { App } from '../../shared/app.js';
import { reactionAdd } from './reaction-add.js';
import { reactionRemove } from './reaction-remove.js';
import { reconcileReactions } from './reconcile-reactions.js';
import { channelCreate, channelDelete, channelUpdate } from './channel.js';
import { guildCreate } from './guild-create.js';
import { guildDelete } from './guild-delete.js';
import { guildRoleCreate, guildRoleDelete, guildRoleUpdate } from './guild-role.js';
import { guildUpdate } from './guild-update.js';
import { ready } from './ready.js';
import { voiceStateUpdate } from './voice-state.js';

/** One gateway event: its name and how it becomes a service call. One file per event. */
export interface EventHandler<T extends GatewayDispatchPayload = GatewayDispatchPayload> {
  event: `${GatewayDispatchEvents}`;
  handle(app: App, payload: T): unknown;
}

/** Every event rollcall acts on. Later features add their handler here. */
const handlers: EventHandler<any>[] = [
  reactionAdd,
  reactionRemove,
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
// After the reactions are re-read: edits a crash left pending go out even when nothing changed since.
// A repair answering false did not finish for a reason that may pass; the shard runs them again later.
const onFreshSession: ((app: App) => unknown)[] = [reconcileReactions, (app) => app.editor.resumePending()];

/** Dispatch handlers by event name; each translates a payload into a service call. */
export function dispatchHandlers(app: App) {
  const byName = new Map<string, EventHandler[]>();
  for (const h of handlers) byName.set(h.event, [...(byName.get(h.event) ?? []), h]);
  return {
    async dispatch(payload: GatewayDispatchPayload) {
      for (const h of byName.get(payload.t) ?? []) await h.handle(app, payload);
    },
    /** Runs the repairs of a new session; false when one must be tried again (see GatewayShard). */
    async onFreshSession(): Promise<boolean> {
      let complete = true;
      for (const repair of onFreshSession) if ((await repair(app)) === false) complete = false;
      return complete;
    },
  };
}
