import type { GuildOwner } from '../shards.js';
import type { Kysely, Selectable } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, Db, VoiceStayTable } from '../db/schema.js';
import { largerOf } from '../db/dialect-sql.js';
import type { Logger } from '../logger.js';
import type { GuildCache } from './guilds.js';
import { isOptedOut } from './privacy.js';

/** A member's voice state as the gateway reported it, reduced to what rollcall tracks. */
export interface VoiceState {
  userId: string;
  /** null = not in voice. */
  channelId: string | null;
  /** Self or server mute. */
  muted: boolean;
  /** Self or server deafen. */
  deafened: boolean;
  bot: boolean;
}

/** One stay of one member in one voice channel. `endedAt` null = still there. */
export interface VoiceStay {
  id: number;
  guildId: string;
  channelId: string;
  userId: string;
  startedAt: number;
  endedAt: number | null;
  endEstimated: boolean;
  afk: boolean;
}

export interface VoiceSessionsOptions {
  db: Kysely<Database>;
  clock: Clock;
  log: Logger;
  guilds: GuildCache;
  /** Called after a member starts a stay in a channel that is not the AFK channel (auto-add). */
  onJoin?: (guildId: string, userId: string, at: number) => Promise<unknown>;
  /**
   * The guilds whose stays this process keeps (its shards'; default all): a crash recovery, a
   * shutdown and the open-stay listings touch only those, as another gateway process watches the rest.
   */
  owns?: GuildOwner;
}

type StayRow = Selectable<VoiceStayTable>;
/**
 * Voice stays from VOICE_STATE_UPDATE and GUILD_CREATE's voice states: one row per member per
 * channel visit, with mute/deafen intervals. A move ends one stay and starts the next. Events of
 * one guild are applied one at a time, in arrival order, because the gateway does not wait for a
 * handler before delivering the next dispatch.
 * @see https://discord.com/developers/docs/events/gateway-events#voice-state-update
 */
export class VoiceSessions {
  private readonly queues = new Map<string, Promise<unknown>>();
  /** The last moment the gateway was known to be receiving, before its connection was lost. */
  private lostAt: number | undefined;

  constructor(private readonly deps: VoiceSessionsOptions) {}

  /** Applies one VOICE_STATE_UPDATE. */
  update(guildId: string, state: VoiceState, at = this.deps.clock.now()): Promise<void> {
    return this.serial(guildId, async () => {
      // Read before the transaction: SQLite has one connection, a query outside it would wait forever.
      const afk = await this.deps.guilds.afkChannelId(guildId);
      const joined = await this.deps.db.transaction().execute((trx) => this.apply(trx, guildId, state, at, afk));
      if (joined) await this.notifyJoin(guildId, state.userId, at);
    });
  }

  /**
   * The gateway connection dropped; `lastAliveAt` is the last moment it was known to be receiving.
   * A member found gone at the next reconcile left at some point after it, so their stay ends
   * there (estimated) rather than at the reconnect: an outage never counts as time in voice.
   */
  noteConnectionLost(lastAliveAt: number): void {
    this.lostAt = lastAliveAt;
  }

  /**
   * Makes the open stays of a guild match its voice states as GUILD_CREATE reports them (at start
   * and after a fresh session). Stays of members no longer in voice (or in another channel) are
   * closed, marked estimated because the real leave happened while the bot was not listening: at
   * the moment the connection was lost when that is known, else now. Members in voice without an
   * open stay get one. It takes its place in the guild's queue at once; `after` (the guild's AFK
   * channel being stored) is awaited in that place, so later events cannot overtake it.
   */
  reconcile(guildId: string, states: readonly VoiceState[], at = this.deps.clock.now(), options: { after?: Promise<unknown> } = {}): Promise<{ opened: number; closed: number }> {
    return this.serial(guildId, async () => {
      await options.after;
      const present = new Map(states.filter((s) => !s.bot && s.channelId).map((s) => [s.userId, s]));
      const joined: string[] = [];
      let closed = 0;
      const afk = await this.deps.guilds.afkChannelId(guildId);
      await this.deps.db.transaction().execute(async (trx) => {
        for (const stay of await this.openRows(trx, guildId)) {
          const now = present.get(stay.user_id);
          if (!now || now.channelId !== stay.channel_id) {
            const lost = this.lostAt !== undefined && this.lostAt >= stay.started_at ? Math.min(this.lostAt, at) : at;
            await this.close(trx, stay, lost, true);
            closed += 1;
          }
        }
        for (const state of present.values()) {
          if (await this.apply(trx, guildId, state, at, afk)) joined.push(state.userId);
        }
      });
      for (const userId of joined) await this.notifyJoin(guildId, userId, at);
      return { opened: joined.length, closed };
    });
  }

  /**
   * Closes every open stay (of one guild, or all): at SIGTERM with `estimated` false — the bot
   * saw them until now — and when a guild goes away.
   */
  async closeAll(at: number, options: { estimated: boolean; guildId?: string }): Promise<number> {
    return this.deps.db.transaction().execute(async (trx) => {
      const rows = await this.openRows(trx, options.guildId);
      for (const stay of rows) await this.close(trx, stay, at, options.estimated);
      return rows.length;
    });
  }

  /**
   * After a crash: closes stays left open at the last moment the bot was known alive (its last
   * heartbeat), marked estimated, so the downtime never counts. GUILD_CREATE then reopens the
   * stays of members still in voice. Without any heartbeat the stay is closed where it began.
   */
  async recoverAfterCrash(lastAliveAt: number | null): Promise<number> {
    return this.deps.db.transaction().execute(async (trx) => {
      const rows = await this.openRows(trx);
      for (const stay of rows) await this.close(trx, stay, lastAliveAt ?? stay.started_at, true);
      if (rows.length > 0) this.deps.log.info({ closed: rows.length, lastAliveAt }, 'closed voice stays left open by a crash');
      return rows.length;
    });
  }

  /** Open stays, of one guild or all, oldest first. */
  async openStays(guildId?: string): Promise<VoiceStay[]> {
    return (await this.openRows(this.deps.db, guildId)).map(toStay);
  }

  /** The open stay of a member, if in voice. */
  async currentStay(guildId: string, userId: string): Promise<VoiceStay | undefined> {
    const row = await this.deps.db.selectFrom('voice_stays').selectAll().where('guild_id', '=', guildId).where('user_id', '=', userId).where('ended_at', 'is', null).executeTakeFirst();
    return row ? toStay(row) : undefined;
  }

  /** Members with an open stay in `channelId`, in order of arrival. */
  async inChannel(guildId: string, channelId: string): Promise<string[]> {
    const rows = await this.deps.db
      .selectFrom('voice_stays')
      .select('user_id')
      .where('guild_id', '=', guildId)
      .where('channel_id', '=', channelId)
      .where('ended_at', 'is', null)
      .orderBy('started_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => r.user_id);
  }

  /** Every stay of a guild overlapping `[from, to)`, in start order (open ones included). */
  async stays(guildId: string, from: number, to: number): Promise<VoiceStay[]> {
    const rows = await this.deps.db
      .selectFrom('voice_stays')
      .selectAll()
      .where('guild_id', '=', guildId)
      .where('started_at', '<', to)
      .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>', from)]))
      .orderBy('started_at')
      .orderBy('id')
      .execute();
    return rows.map(toStay);
  }

  /** Mute/deafen intervals of one stay. */
  async flags(stayId: number): Promise<{ kind: 'mute' | 'deaf'; startedAt: number; endedAt: number | null }[]> {
    const rows = await this.deps.db.selectFrom('voice_flag_intervals').selectAll().where('stay_id', '=', stayId).orderBy('started_at').orderBy('id').execute();
    return rows.map((r) => ({ kind: r.kind, startedAt: r.started_at, endedAt: r.ended_at }));
  }

  /** Waits for every queued event (tests and shutdown). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.queues.values()]);
  }

  /** Applies a state inside a transaction; true when a non-AFK stay was opened. */
  private async apply(trx: Db, guildId: string, state: VoiceState, at: number, afkChannelId: string | null): Promise<boolean> {
    const open = await trx.selectFrom('voice_stays').selectAll().where('guild_id', '=', guildId).where('user_id', '=', state.userId).where('ended_at', 'is', null).executeTakeFirst();
    // The privacy opt-out is checked here, inside the transaction every event and reconcile goes
    // through: an opted-out member counts as not in voice, so nothing about them is written.
    if (state.bot || state.channelId === null || (await isOptedOut(trx, guildId, state.userId))) {
      if (open) await this.close(trx, open, at, false);
      return false;
    }
    if (open && open.channel_id === state.channelId) {
      await this.syncFlags(trx, open.id, state, at);
      return false;
    }
    if (open) await this.close(trx, open, at, false);
    const afk = state.channelId === afkChannelId;
    const inserted = await trx
      .insertInto('voice_stays')
      .values({ guild_id: guildId, channel_id: state.channelId, user_id: state.userId, started_at: at, afk: afk ? 1 : 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await this.syncFlags(trx, inserted.id, state, at);
    return !afk;
  }

  private async syncFlags(trx: Db, stayId: number, state: VoiceState, at: number): Promise<void> {
    const open = await trx.selectFrom('voice_flag_intervals').select(['id', 'kind']).where('stay_id', '=', stayId).where('ended_at', 'is', null).execute();
    for (const [kind, on] of [
      ['mute', state.muted],
      ['deaf', state.deafened],
    ] as const) {
      const interval = open.find((o) => o.kind === kind);
      if (on && !interval) await trx.insertInto('voice_flag_intervals').values({ stay_id: stayId, kind, started_at: at }).execute();
      if (!on && interval) await trx.updateTable('voice_flag_intervals').set({ ended_at: at }).where('id', '=', interval.id).execute();
    }
  }

  private async close(trx: Db, stay: StayRow, at: number, estimated: boolean): Promise<void> {
    const end = Math.max(at, stay.started_at);
    await trx
      .updateTable('voice_stays')
      .set({ ended_at: end, end_estimated: estimated ? 1 : 0 })
      .where('id', '=', stay.id)
      .execute();
    await trx
      .updateTable('voice_flag_intervals')
      .set((eb) => ({ ended_at: eb.fn(largerOf(trx), [eb.ref('started_at'), eb.val(end)]) }))
      .where('stay_id', '=', stay.id)
      .where('ended_at', 'is', null)
      .execute();
  }

  private openRows(db: Db, guildId?: string): Promise<StayRow[]> {
    let query = db.selectFrom('voice_stays').selectAll().where('ended_at', 'is', null);
    if (guildId) query = query.where('guild_id', '=', guildId);
    const owns = this.deps.owns;
    return query
      .orderBy('started_at')
      .orderBy('id')
      .execute()
      .then((rows) => (owns && !guildId ? rows.filter((r) => owns(r.guild_id)) : rows));
  }

  private async notifyJoin(guildId: string, userId: string, at: number): Promise<void> {
    if (!this.deps.onJoin) return;
    try {
      await this.deps.onJoin(guildId, userId, at);
    } catch (error) {
      this.deps.log.error({ err: error, guildId, userId }, 'auto-add on voice join failed');
    }
  }

  private serial<T>(guildId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(guildId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.queues.set(guildId, tail);
    void tail.then(() => {
      if (this.queues.get(guildId) === tail) this.queues.delete(guildId);
    });
    return next;
  }
}

function toStay(row: StayRow): VoiceStay {
  return {
    id: row.id,
    guildId: row.guild_id,
    channelId: row.channel_id,
    userId: row.user_id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    endEstimated: row.end_estimated === 1,
    afk: row.afk === 1,
  };
}
