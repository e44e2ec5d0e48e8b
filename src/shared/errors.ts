/**
 * An error whose message is meant for the member who caused it ("that zone does not exist").
 * The interaction layer shows it as an ephemeral reply; anything else is "something went wrong".
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** SQLite result codes meaning the database file cannot be written: full disk, read-only file, I/O error. */
const STORAGE_CODES = /^SQLITE_(FULL|READONLY|IOERR|CANTOPEN)/;

/** The SQLite code when `error` (or one of its causes) says the database cannot be written; else null. */
export function storageFailure(error: unknown): string | null {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && STORAGE_CODES.test(code)) return code;
  }
  return null;
}

/** What a member is told while the database cannot be written. */
export const STORAGE_FAILURE_REPLY = "⚠️ I can't save anything right now: the bot's disk is full or its database is read-only. Nothing was changed — please try again later.";

/** How often a storage outage is logged: one line, not one per request, event and tick. */
export const STORAGE_LOG_EVERY_MS = 10 * 60_000;
let storageLoggedAt = -Infinity;
let storageSilenced = 0;
/** A write failed for lack of storage and none has succeeded since. */
let storageDown = false;
const recoveredListeners = new Set<() => void>();

/**
 * Calls `listener` each time the database can be written again after an outage (gateway events
 * that could not be stored are re-read then). Returns the unsubscribe.
 */
export function onStorageRecovered(listener: () => void): () => void {
  recoveredListeners.add(listener);
  return () => recoveredListeners.delete(listener);
}

/** Called after a write that succeeded (the heartbeat's): ends an outage, if one was under way. */
export function noteStorageWritten(log?: { info(obj: object, msg: string): void }): void {
  if (!storageDown) return;
  storageDown = false;
  storageLoggedAt = -Infinity;
  log?.info({ notLogged: storageSilenced }, 'the database can be written again');
  storageSilenced = 0;
  for (const listener of recoveredListeners) listener();
}

/**
 * Logs a storage failure at most once per {@link STORAGE_LOG_EVERY_MS} for the whole process (the
 * interaction path, gateway handlers, scheduler and heartbeat all hit it at once on a full disk), with
 * how many were not logged since. True when `error` was one (the caller then logs nothing itself).
 */
export function reportStorageFailure(log: { error(obj: object, msg: string): void }, error: unknown, where: string, now = Date.now()): boolean {
  const code = storageFailure(error);
  if (!code) return false;
  storageDown = true;
  if (now - storageLoggedAt >= STORAGE_LOG_EVERY_MS) {
    log.error({ code, where, notLoggedSince: storageSilenced }, 'the database cannot be written (disk full or read-only): changes are refused until it can');
    storageLoggedAt = now;
    storageSilenced = 0;
  } else {
    storageSilenced += 1;
  }
  return true;
}
