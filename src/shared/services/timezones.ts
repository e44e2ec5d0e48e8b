import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { UserError } from '../errors.js';
import { normaliseZone } from '../time/zones.js';
import type { GuildConfigService } from './guild-config.js';
import type { VoiceSessions } from './voice-sessions.js';

export interface MemberZone {
  zone: string;
  /** True when the member has not picked one and the guild's zone stands in. */
  isDefault: boolean;
}

/** The local time in one zone and who lives by it. */
export interface ZoneGroup {
  zone: string;
  /** `HH:mm` local time. */
  time: string;
  /** Short weekday, e.g. `Sun`, so "past midnight" is visible. */
  weekday: string;
  /** e.g. `UTC+1`, `UTC-4`, `UTC+5:30`. */
  offset: string;
  offsetMinutes: number;
  userIds: string[];
}

/** Local time of `at` in `zone`, as the groups show it. */
export function localTime(at: number, zone: string): Pick<ZoneGroup, 'time' | 'weekday' | 'offset' | 'offsetMinutes'> {
  const dt = DateTime.fromMillis(at, { zone });
  return { time: dt.toFormat('HH:mm'), weekday: dt.toFormat('ccc'), offset: `UTC${dt.toFormat('Z')}`, offsetMinutes: dt.offset };
}

/**
 * Members' own time zones (`/timezone set`), the guild's zone standing in for those who set none,
 * and "what time is it for each of us" for a voice channel. All conversion goes through Luxon.
 */
export class MemberTimezones {
  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock; guildConfig: GuildConfigService; voice: VoiceSessions }) {}

  /** Stores a member's zone; throws a {@link UserError} for a zone that does not exist. */
  async set(guildId: string, userId: string, zoneInput: string): Promise<string> {
    const zone = normaliseZone(zoneInput);
    if (!zone) throw new UserError(`\`${zoneInput.slice(0, 60)}\` is not a time zone I know. Pick one from the list, e.g. Europe/Paris or America/Chicago.`);
    const now = this.deps.clock.now();
    await this.deps.db
      .insertInto('member_timezones')
      .values({ guild_id: guildId, user_id: userId, timezone: zone, updated_at: now })
      .onConflict((oc) => oc.columns(['guild_id', 'user_id']).doUpdateSet({ timezone: zone, updated_at: now }))
      .execute();
    return zone;
  }

  async get(guildId: string, userId: string): Promise<MemberZone> {
    return (await this.many(guildId, [userId])).get(userId)!;
  }

  /** Every member's zone, the guild's for those who set none. */
  async many(guildId: string, userIds: readonly string[]): Promise<Map<string, MemberZone>> {
    const { timezone } = await this.deps.guildConfig.get(guildId);
    const out = new Map<string, MemberZone>(userIds.map((id) => [id, { zone: timezone, isDefault: true }]));
    if (userIds.length === 0) return out;
    const rows = await this.deps.db
      .selectFrom('member_timezones')
      .select(['user_id', 'timezone'])
      .where('guild_id', '=', guildId)
      .where('user_id', 'in', [...userIds])
      .execute();
    for (const row of rows) out.set(row.user_id, { zone: row.timezone, isDefault: false });
    return out;
  }

  /**
   * For everyone in the voice channel `userId` is in: local time at `at`, grouped by zone, west to
   * east. Undefined when `userId` is not in voice.
   */
  async voiceClock(guildId: string, userId: string, at = this.deps.clock.now()): Promise<{ channelId: string; groups: ZoneGroup[] } | undefined> {
    const stay = await this.deps.voice.currentStay(guildId, userId);
    if (!stay) return undefined;
    const members = await this.deps.voice.inChannel(guildId, stay.channelId);
    const zones = await this.many(guildId, members);
    const groups = new Map<string, ZoneGroup>();
    for (const member of members) {
      const { zone } = zones.get(member)!;
      const group = groups.get(zone) ?? { zone, ...localTime(at, zone), userIds: [] };
      group.userIds.push(member);
      groups.set(zone, group);
    }
    return {
      channelId: stay.channelId,
      groups: [...groups.values()].sort((a, b) => a.offsetMinutes - b.offsetMinutes || a.zone.localeCompare(b.zone)),
    };
  }
}
