import type { GatewayDispatchPayload } from 'discord-api-types/v10';
import type { EventHandler, FreshSessionRepair } from './handler.js';
import { depsFor, type App, type Deps, type Part } from '../../app.js';
import { reactionAdd } from './reaction-add.js';
import { reactionRemove } from './reaction-remove.js';
import { reactionRemoveAll, reactionRemoveEmoji } from './reactions-cleared.js';
import { reconcileReactions, resumePendingEdits } from './reconcile-reactions.js';
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
// After the reactions are re-read: edits a crash left pending go out even when nothing changed since.
// A repair answering false did not finish for a reason that may pass; the shard runs them again later.
const onFreshSession: FreshSessionRepair[] = [reconcileReactions, resumePendingEdits];

/** Dispatch handlers by event name; each gets the parts of the app it names, taken once here. */
export function dispatchHandlers(app: App) {
  const byName = new Map<string, { handler: EventHandler; deps: Deps<Part> }[]>();
  for (const handler of handlers) byName.set(handler.event, [...(byName.get(handler.event) ?? []), { handler, deps: depsFor(app, handler.uses) }]);
  const repairs = onFreshSession.map((repair) => ({ repair, deps: depsFor(app, repair.uses) }));
  return {
    async dispatch(payload: GatewayDispatchPayload) {
      for (const { handler, deps } of byName.get(payload.t) ?? []) await handler.handle(deps, payload);
    },
    /** Runs the repairs of a new session; false when one must be tried again (see GatewayShard). */
    async onFreshSession(): Promise<boolean> {
      let complete = true;
      for (const { repair, deps } of repairs) if ((await repair.run(deps)) === false) complete = false;
      return complete;
    },
  };
}
