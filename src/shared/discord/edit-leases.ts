import type SQLite from 'better-sqlite3';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** A message's row in `message_edits`: what the {@link EditLeases} hand the editor. */
export interface EditRow {
  channel_id: string;
  dirty_version: number;
  edited_version: number;
}

/**
 * The message editor's shared state in `message_edits`, one statement per step: versions (a change
 * bumps `dirty_version`, an edit records the one it rendered) and a lease per message (one process
 * edits it at a time). Each step is a single conditional statement, atomic on either engine: the
 * lease changes hands only where its `where` still holds, and the result says whether it did.
 */
export interface EditLeases {
  /** A change: `dirty_version + 1` (a new row at 1). */
  bump(messageId: string, channelId: string): Promise<void>;
  get(messageId: string): Promise<EditRow | undefined>;
  /** Takes the lease when it is free, expired (`lease_until < now`) or already ours. */
  acquire(messageId: string, owner: string, until: number, now: number): Promise<boolean>;
  /** Extends the lease only while `owner` still holds it. */
  renew(messageId: string, owner: string, until: number): Promise<boolean>;
  release(messageId: string, owner: string): Promise<void>;
  /** Records `version` as rendered (never lowers it). */
  done(messageId: string, version: number): Promise<void>;
  leaseUntil(messageId: string): Promise<number | undefined>;
  holder(messageId: string): Promise<string | null | undefined>;
  /** Takes the lease from `from` only (a dead holder that was read); false when someone else holds it now. */
  steal(messageId: string, owner: string, until: number, from: string): Promise<boolean>;
  /** Messages with a change no edit has rendered yet. */
  pending(): Promise<string[]>;
}

/**
 * On the SQLite file: prepared statements run synchronously inside each call (its promise is
 * already settled when it returns), as the editor always ran them.
 */
export class SqliteEditLeases implements EditLeases {
  private readonly stmt;

  constructor(db: SQLite.Database) {
    this.stmt = {
      bump: db.prepare<[string, string]>('insert into message_edits (message_id, channel_id, dirty_version) values (?, ?, 1) on conflict(message_id) do update set dirty_version = dirty_version + 1'),
      get: db.prepare<[string], EditRow>('select channel_id, dirty_version, edited_version from message_edits where message_id = ?'),
      acquire: db.prepare<[string, number, string, number, string]>(
        'update message_edits set lease_owner = ?, lease_until = ? where message_id = ? and (lease_owner is null or lease_until < ? or lease_owner = ?)',
      ),
      renew: db.prepare<[number, string, string]>('update message_edits set lease_until = ? where message_id = ? and lease_owner = ?'),
      release: db.prepare<[string, string]>('update message_edits set lease_owner = null, lease_until = 0 where message_id = ? and lease_owner = ?'),
      done: db.prepare<[number, string]>('update message_edits set edited_version = max(edited_version, ?) where message_id = ?'),
      leaseUntil: db.prepare<[string], { lease_until: number }>('select lease_until from message_edits where message_id = ?'),
      holder: db.prepare<[string], { lease_owner: string | null }>('select lease_owner from message_edits where message_id = ?'),
      steal: db.prepare<[string, number, string, string]>('update message_edits set lease_owner = ?, lease_until = ? where message_id = ? and lease_owner = ?'),
      pending: db.prepare<[], { message_id: string }>('select message_id from message_edits where dirty_version > edited_version'),
    };
  }

  async bump(messageId: string, channelId: string): Promise<void> {
    this.stmt.bump.run(messageId, channelId);
  }
  async get(messageId: string): Promise<EditRow | undefined> {
    return this.stmt.get.get(messageId);
  }
  async acquire(messageId: string, owner: string, until: number, now: number): Promise<boolean> {
    return this.stmt.acquire.run(owner, until, messageId, now, owner).changes === 1;
  }
  async renew(messageId: string, owner: string, until: number): Promise<boolean> {
    return this.stmt.renew.run(until, messageId, owner).changes === 1;
  }
  async release(messageId: string, owner: string): Promise<void> {
    this.stmt.release.run(messageId, owner);
  }
  async done(messageId: string, version: number): Promise<void> {
    this.stmt.done.run(version, messageId);
  }
  async leaseUntil(messageId: string): Promise<number | undefined> {
    return this.stmt.leaseUntil.get(messageId)?.lease_until;
  }
  async holder(messageId: string): Promise<string | null | undefined> {
    return this.stmt.holder.get(messageId)?.lease_owner;
  }
  async steal(messageId: string, owner: string, until: number, from: string): Promise<boolean> {
    return this.stmt.steal.run(owner, until, messageId, from).changes === 1;
  }
  async pending(): Promise<string[]> {
    return this.stmt.pending.all().map((r) => r.message_id);
  }
}

/**
 * On PostgreSQL: the same statements through kysely. Each `update … where` locks the row it changes
 * and re-checks its condition after waiting for another writer (READ COMMITTED), so two processes
 * can never both take a lease.
 * @see https://www.postgresql.org/docs/current/transaction-iso.html#XACT-READ-COMMITTED
 */
export class PostgresEditLeases implements EditLeases {
  constructor(private readonly db: Kysely<Database>) {}

  async bump(messageId: string, channelId: string): Promise<void> {
    await this.db
      .insertInto('message_edits')
      .values({ message_id: messageId, channel_id: channelId, dirty_version: 1 })
      .onConflict((oc) => oc.column('message_id').doUpdateSet({ dirty_version: sql`message_edits.dirty_version + 1` }))
      .execute();
  }
  get(messageId: string): Promise<EditRow | undefined> {
    return this.db.selectFrom('message_edits').select(['channel_id', 'dirty_version', 'edited_version']).where('message_id', '=', messageId).executeTakeFirst();
  }
  async acquire(messageId: string, owner: string, until: number, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('message_edits')
      .set({ lease_owner: owner, lease_until: until })
      .where('message_id', '=', messageId)
      .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_until', '<', now), eb('lease_owner', '=', owner)]))
      .executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }
  async renew(messageId: string, owner: string, until: number): Promise<boolean> {
    const r = await this.db.updateTable('message_edits').set({ lease_until: until }).where('message_id', '=', messageId).where('lease_owner', '=', owner).executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }
  async release(messageId: string, owner: string): Promise<void> {
    await this.db.updateTable('message_edits').set({ lease_owner: null, lease_until: 0 }).where('message_id', '=', messageId).where('lease_owner', '=', owner).execute();
  }
  async done(messageId: string, version: number): Promise<void> {
    await this.db
      .updateTable('message_edits')
      .set({ edited_version: sql`greatest(edited_version, ${version})` })
      .where('message_id', '=', messageId)
      .execute();
  }
  async leaseUntil(messageId: string): Promise<number | undefined> {
    return (await this.db.selectFrom('message_edits').select('lease_until').where('message_id', '=', messageId).executeTakeFirst())?.lease_until;
  }
  async holder(messageId: string): Promise<string | null | undefined> {
    return (await this.db.selectFrom('message_edits').select('lease_owner').where('message_id', '=', messageId).executeTakeFirst())?.lease_owner;
  }
  async steal(messageId: string, owner: string, until: number, from: string): Promise<boolean> {
    const r = await this.db.updateTable('message_edits').set({ lease_owner: owner, lease_until: until }).where('message_id', '=', messageId).where('lease_owner', '=', from).executeTakeFirst();
    return r.numUpdatedRows === 1n;
  }
  async pending(): Promise<string[]> {
    const rows = await this.db.selectFrom('message_edits').select('message_id').whereRef('dirty_version', '>', 'edited_version').execute();
    return rows.map((r) => r.message_id);
  }
}
