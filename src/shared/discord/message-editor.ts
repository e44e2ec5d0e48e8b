import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sleep, systemTimer, type Timer } from '../clock.js';
import type { Logger } from '../logger.js';
import type { EditLeases } from './edit-leases.js';
import { DiscordRequestError, NotFoundError } from './errors.js';
import type { DiscordApi } from './rest.js';
import type { MessageEdit } from './shapes.js';

/** Renders what a message should say *now*; null when it no longer exists for us. */
export type MessageRenderer = (messageId: string) => Promise<MessageEdit | null>;

/**
 * How long a process may hold a message's edit lease before another may take over. Longer than the
 * longest edit request (@discordjs/rest: up to 3 attempts × 15 s timeout, plus a rate-limit wait of up
 * to 15 s before it rejects), and renewed while a render + PATCH is in flight, so a live process never
 * loses it mid-edit. A process that stalls past it anyway finds out after its PATCH and re-edits.
 */
export const LEASE_MS = 60_000;
/**
 * After taking over the lease of a process that died mid-edit, the message is edited once more this
 * long after: the dead process's PATCH may still have been on its way, and Discord applying it after
 * our newer edit would leave the older text up.
 */
export const LATE_EDIT_MS = 10_000;
/** While an edit is in flight the holder renews its lease this often. */
const RENEW_EVERY_MS = LEASE_MS / 4;
/** Transient failures (5xx, network) are retried this many times before the edit waits for the next change. */
const MAX_ATTEMPTS = 4;

export interface EditorStats {
  /** Edits sent to Discord. */
  edits: number;
  /** Changes that did not need an edit of their own because a later edit covered them. */
  coalesced: number;
  /** Edits that failed for good. */
  failed: number;
}

/**
 * Coalesces message edits. Callers say "this message changed" ({@link markDirty}); the editor keeps
 * at most one edit in flight per message and, when the rate budget allows, renders the *current*
 * state, so a burst of ten clicks costs one or two edits whose last one is right.
 *
 * Works across processes sharing the database (the SQLite file, or a PostgreSQL server across
 * machines): the dirty/edited versions and a lease per message live in `message_edits` ({@link EditLeases}), so only the lease holder edits; the edit budget (the REST façade takes a token of the shared `RateBudget` for every edit) is shared
 * too. A change made by a process that does not hold the lease is picked up by the holder's next
 * loop, or by this process once the lease expires.
 */
export class MessageEditor {
  readonly stats: EditorStats = { edits: 0, coalesced: 0, failed: 0 };
  /**
   * `pid:uuid:host`: the pid lets a process on the same machine see that a lease's holder is dead —
   * killed mid-edit — and take it over at once instead of after LEASE_MS; the host keeps a process
   * on another machine (PostgreSQL) from judging a pid that is not of its own machine.
   */
  private readonly owner = `${process.pid}:${randomUUID()}:${hostname()}`;
  private readonly running = new Map<string, Promise<void>>();
  /** Messages kicked while their loop was finishing: it runs once more, so no change is left unedited. */
  private readonly again = new Set<string>();
  /** Changes being written (on PostgreSQL a round trip); {@link settle} waits for them too. */
  private readonly bumps = new Set<Promise<void>>();
  /** Messages whose lease was taken from a dead process and not yet re-edited after {@link lateEditMs}. */
  private readonly takenOver = new Set<string>();
  /** {@link LATE_EDIT_MS}; tests shorten it. */
  lateEditMs = LATE_EDIT_MS;
  /** Pending retries and late edits, by message: each entry cancels its wait. */
  private readonly retryTimers = new Map<string, () => void>();
  private closed = false;

  constructor(
    private readonly deps: {
      /** `message_edits` on the app's engine. */
      leases: EditLeases;
      discord: DiscordApi;
      render: MessageRenderer;
      log: Logger;
      /** Leases, retries and the late edit run on it (real time unless a test freezes it). */
      timer?: Timer;
      /** The message is gone from Discord (10008): its owner may post it again. */
      onGone?: (channelId: string, messageId: string) => Promise<void>;
    },
  ) {}

  private get leases(): EditLeases {
    return this.deps.leases;
  }

  private get timer(): Timer {
    return this.deps.timer ?? systemTimer;
  }

  private now(): number {
    return this.timer.now();
  }

  /** Records that `messageId` must show new content, and makes sure an edit will follow. */
  markDirty(channelId: string, messageId: string): void {
    const bump = this.leases
      .bump(messageId, channelId)
      .then(() => this.kick(messageId))
      .catch((error: unknown) => this.deps.log.error({ err: error, messageId }, 'recording a message change failed'))
      .finally(() => this.bumps.delete(bump));
    this.bumps.add(bump);
  }

  /** Starts the edit loop for a message unless this process already runs one (which then looks once more). */
  kick(messageId: string): void {
    if (this.closed) return;
    if (this.running.has(messageId)) {
      this.again.add(messageId);
      return;
    }
    const loop = this.loop(messageId)
      .catch((error: unknown) => this.deps.log.error({ err: error, messageId }, 'message edit loop failed'))
      .finally(() => {
        this.running.delete(messageId);
        if (this.again.delete(messageId)) this.kick(messageId);
      });
    this.running.set(messageId, loop);
  }

  /** Resolves when this process has no edit in flight or pending (tests, shutdown). */
  async settle(): Promise<void> {
    while (this.running.size > 0 || this.bumps.size > 0) await Promise.allSettled([...this.running.values(), ...this.bumps]);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const cancel of this.retryTimers.values()) cancel();
    await this.settle();
  }

  /**
   * Edits every message left dirty (a process killed between a change and its edit): called once the
   * gateway is up after a start, as nothing else would look at a message whose change came before it.
   */
  async resumePending(): Promise<number> {
    const ids = await this.leases.pending();
    for (const id of ids) this.kick(id);
    return ids.length;
  }

  private async acquire(messageId: string): Promise<boolean> {
    const now = this.now();
    if (await this.leases.acquire(messageId, this.owner, now + LEASE_MS, now)) return true;
    const holder = await this.leases.holder(messageId);
    if (!holder || !holderIsDead(holder)) return false;
    this.deps.log.info({ messageId, holder }, 'edit lease held by a process that is gone; taking it over');
    const taken = await this.leases.steal(messageId, this.owner, now + LEASE_MS, holder);
    if (taken) this.takenOver.add(messageId);
    return taken;
  }

  /** Extends this process's lease; false when another process has taken it over (ours had expired). */
  private renew(messageId: string): Promise<boolean> {
    return this.leases.renew(messageId, this.owner, this.now() + LEASE_MS);
  }

  private async loop(messageId: string): Promise<void> {
    let attempts = 0;
    for (;;) {
      if (!(await this.acquire(messageId))) {
        await this.retryAfterLease(messageId);
        return;
      }
      const before = await this.leases.get(messageId);
      if (!before || before.dirty_version <= before.edited_version) {
        await this.leases.release(messageId, this.owner);
        // A change may have landed between the check and the release; look once more.
        const after = await this.leases.get(messageId);
        if (after && after.dirty_version > after.edited_version) continue;
        return;
      }
      let version = before.dirty_version;
      // Set inside the callback below; the cast keeps TypeScript from narrowing it to the initial value.
      let sent = 'nothing' as 'edited' | 'nothing' | 'lease-lost';
      try {
        // The façade waits for the channel's edit token first (the one budget every edit shares), then
        // asks for the body: the render is of the state *after* the wait.
        await this.whileRenewing(messageId, () =>
          this.deps.discord.editMessageWhenAllowed(before.channel_id, messageId, async () => {
            // The wait may have been long: carry on only if the lease is still ours.
            if (!(await this.renew(messageId))) {
              sent = 'lease-lost';
              return null;
            }
            // Read the version *after* waiting: everything marked until now is in this render.
            version = (await this.leases.get(messageId))!.dirty_version;
            const body = await this.deps.render(messageId);
            if (!body) return null;
            // Right before the PATCH: rendering took time too, and a stale holder must not edit.
            if (!(await this.renew(messageId))) {
              sent = 'lease-lost';
              return null;
            }
            sent = 'edited';
            return body;
          }),
        );
        attempts = 0;
      } catch (error) {
        attempts += 1;
        const permanent = error instanceof DiscordRequestError && error.permanent;
        if (permanent || attempts >= MAX_ATTEMPTS) {
          // e.g. the message was deleted (10008) or access was removed (50001): stop trying this version.
          this.stats.failed += 1;
          this.deps.log.warn({ err: error, messageId }, 'message edit failed; giving up on this version');
          await this.leases.done(messageId, version);
          if (error instanceof NotFoundError && error.resource === 'message' && this.deps.onGone) {
            await this.deps.onGone(before.channel_id, messageId).catch((e: unknown) => this.deps.log.error({ err: e, messageId }, 'replacing a deleted message failed'));
          }
        } else {
          await sleep(this.timer, 250 * 2 ** attempts);
        }
        continue;
      }
      if (sent === 'lease-lost') {
        // Another process holds the message now and renders the current state itself.
        await this.retryAfterLease(messageId);
        return;
      }
      if (sent === 'edited') {
        this.stats.edits += 1;
        this.stats.coalesced += Math.max(0, version - before.edited_version - 1);
      }
      if (sent === 'edited' && !(await this.renew(messageId))) {
        // Our lease ran out while the PATCH was in flight (a stalled process) and another process took
        // over: it may have edited a newer version that our older text has now overwritten. Don't record
        // ours as done; mark the message dirty so whoever holds the lease edits the current state again.
        this.deps.log.warn({ messageId, version }, 'edit lease lost during an edit; asking for a fresh edit');
        await this.leases.bump(messageId, before.channel_id);
        continue;
      }
      await this.leases.done(messageId, version);
      if (sent === 'edited' && this.takenOver.delete(messageId)) {
        const channelId = before.channel_id;
        const cancel = this.timer.after(this.lateEditMs, () => {
          this.retryTimers.delete(`late:${messageId}`);
          if (!this.closed) this.markDirty(channelId, messageId);
        });
        this.retryTimers.set(`late:${messageId}`, cancel);
      }
    }
  }

  /** Runs `work` while renewing the lease in the background, so a slow request keeps it. */
  private async whileRenewing<T>(messageId: string, work: () => Promise<T>): Promise<T> {
    let cancel = () => {};
    const renewLater = () => {
      cancel = this.timer.after(RENEW_EVERY_MS, () => {
        this.renew(messageId).catch((error: unknown) => this.deps.log.warn({ err: error, messageId }, 'renewing the edit lease failed'));
        renewLater();
      });
    };
    renewLater();
    try {
      return await work();
    } finally {
      cancel();
    }
  }

  /** Another process holds the lease: if it dies, take over once the lease has expired. */
  private async retryAfterLease(messageId: string): Promise<void> {
    if (this.retryTimers.has(messageId)) return;
    const until = (await this.leases.leaseUntil(messageId)) ?? 0;
    if (this.retryTimers.has(messageId)) return;
    const cancel = this.timer.after(Math.max(50, until - this.now() + 50), () => {
      this.retryTimers.delete(messageId);
      this.leases
        .get(messageId)
        .then((row) => {
          if (row && row.dirty_version > row.edited_version) this.kick(messageId);
        })
        .catch((error: unknown) => this.deps.log.error({ err: error, messageId }, 'message edit retry failed'));
    });
    this.retryTimers.set(messageId, cancel);
  }
}

/**
 * True when a lease holder (`pid:uuid`) is a process of this machine that no longer runs. Unknown
 * formats, and a pid that runs (even one reused by another program), count as alive: the lease then
 * simply runs out as before.
 */
function holderIsDead(holder: string): boolean {
  const [pidText, , host] = holder.split(':');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !holder.includes(':') || pid === process.pid) return false;
  if (host !== undefined && host !== hostname()) return false; // a process of another machine
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
