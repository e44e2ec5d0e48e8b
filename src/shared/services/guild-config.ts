import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, GuildConfigRow } from '../db/schema.js';
import { UserError } from '../errors.js';
import { DEFAULT_TIMEZONE, normaliseZone } from '../time/zones.js';

/** A guild's settings, defaults filled in. */
export interface GuildSettings {
  guildId: string;
  channelId: string | null;
  timezone: string;
  firstHour: number;
  lastHour: number;
  postTime: string;
  /** False until an admin has run any `/config` command. */
  stored: boolean;
}

export const DEFAULT_SETTINGS = {
  channelId: null,
  timezone: DEFAULT_TIMEZONE,
  firstHour: 16,
  lastHour: 2,
  postTime: '07:00',
} as const;

export const MAX_SLOTS = 12;

/** How many hour slots `first → last` (inclusive) spans; crosses midnight when last < first. */
export function slotCount(firstHour: number, lastHour: number): number {
  return ((lastHour - firstHour + 24) % 24) + 1;
}

/** Parses `H:MM`/`HH:MM` (24 h) into the canonical `HH:MM`, or throws a {@link UserError}. */
export function parsePostTime(text: string): string {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!match) throw new UserError(`\`${text}\` is not a time. Use 24-hour HH:MM, for example 07:00 or 18:30.`);
  return `${match[1]!.padStart(2, '0')}:${match[2]}`;
}

function checkHour(name: string, hour: number): void {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) {
    throw new UserError(`The ${name} hour must be a whole hour from 0 to 23 (got ${hour}).`);
  }
}

/**
 * The earliest post time (`HH:00`) that does not fall inside the previous evening's slots, or null
 * when the evening ends by midnight. A post at 00:30 with hours 16 → 2 would start the new day while
 * last night's 00:00–02:59 slots still run: their late votes would be refused as "an older message"
 * and voice would find no slot.
 */
export function earliestPostTime(firstHour: number, lastHour: number): string | null {
  if (lastHour >= firstHour) return null;
  return `${String(lastHour + 1).padStart(2, '0')}:00`;
}

function checkPostAfterEvening(firstHour: number, lastHour: number, postTime: string, changing: 'hours' | 'post-time'): void {
  const earliest = earliestPostTime(firstHour, lastHour);
  if (earliest === null || postTime >= earliest) return;
  const range = `${String(firstHour).padStart(2, '0')}:00 → ${String(lastHour).padStart(2, '0')}:00`;
  throw new UserError(
    changing === 'post-time'
      ? `A daily message at ${postTime} would land inside the previous evening, whose hours (${range}) run until ${earliest}. Post at ${earliest} or later, or end the evening earlier with \`/config hours\`.`
      : `Hours ${range} run until ${earliest}, past the daily message at ${postTime}: it would land inside the previous evening. Move it to ${earliest} or later with \`/config post-time\` first, or end the evening earlier.`,
  );
}

/** Reads and changes guild settings. Each setter validates first, so nothing invalid is stored. */
export class GuildConfigService {
  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock }) {}

  async get(guildId: string): Promise<GuildSettings> {
    const row = await this.deps.db.selectFrom('guild_config').selectAll().where('guild_id', '=', guildId).executeTakeFirst();
    return row ? toSettings(row) : { guildId, ...DEFAULT_SETTINGS, stored: false };
  }

  /** Guilds that have picked a channel: the ones a daily message can be posted in. */
  async listConfigured(): Promise<GuildSettings[]> {
    const rows = await this.deps.db.selectFrom('guild_config').selectAll().where('channel_id', 'is not', null).execute();
    return rows.map(toSettings);
  }

  async setChannel(guildId: string, channelId: string): Promise<GuildSettings> {
    if (!/^\d{17,20}$/.test(channelId)) throw new UserError('That is not a channel.');
    return this.write(guildId, { channel_id: channelId });
  }

  async setTimezone(guildId: string, zoneInput: string): Promise<GuildSettings> {
    const zone = normaliseZone(zoneInput);
    if (!zone) {
      throw new UserError(`\`${zoneInput}\` is not a time zone I know. Pick one from the list, e.g. America/New_York or Europe/Paris.`);
    }
    return this.write(guildId, { timezone: zone });
  }

  async setHours(guildId: string, firstHour: number, lastHour: number): Promise<GuildSettings> {
    checkHour('first', firstHour);
    checkHour('last', lastHour);
    const count = slotCount(firstHour, lastHour);
    if (count > MAX_SLOTS) {
      throw new UserError(`${firstHour} → ${lastHour} is ${count} hour slots; at most ${MAX_SLOTS} fit on the daily message.`);
    }
    checkPostAfterEvening(firstHour, lastHour, (await this.get(guildId)).postTime, 'hours');
    return this.write(guildId, { first_hour: firstHour, last_hour: lastHour });
  }

  async setPostTime(guildId: string, text: string): Promise<GuildSettings> {
    const postTime = parsePostTime(text);
    const { firstHour, lastHour } = await this.get(guildId);
    checkPostAfterEvening(firstHour, lastHour, postTime, 'post-time');
    return this.write(guildId, { post_time: postTime });
  }

  private async write(guildId: string, change: Partial<Pick<GuildConfigRow, 'channel_id' | 'timezone' | 'first_hour' | 'last_hour' | 'post_time'>>): Promise<GuildSettings> {
    const now = this.deps.clock.now();
    await this.deps.db
      .insertInto('guild_config')
      .values({ guild_id: guildId, channel_id: null, created_at: now, updated_at: now, ...change })
      .onConflict((oc) => oc.column('guild_id').doUpdateSet({ ...change, updated_at: now }))
      .execute();
    return this.get(guildId);
  }
}

function toSettings(row: GuildConfigRow): GuildSettings {
  return {
    guildId: row.guild_id,
    channelId: row.channel_id,
    timezone: row.timezone,
    firstHour: row.first_hour,
    lastHour: row.last_hour,
    postTime: row.post_time,
    stored: true,
  };
}
