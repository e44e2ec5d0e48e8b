import type { Generated, Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely';

/**
 * The one typed picture of the SQLite file. Every query is checked against it; every migration in
 * `migrations/` must leave the file in this shape. Times are unix milliseconds unless named `_s`.
 */
export interface Database {
  guild_config: GuildConfigTable;
  daily_posts: DailyPostTable;
  availability: AvailabilityTable;
  departed_members: DepartedMemberTable;
  schedules: ScheduleTable;
  message_edits: MessageEditTable;
  rate_buckets: RateBucketTable;
  member_notices: MemberNoticeTable;
  voice_stays: VoiceStayTable;
  voice_flag_intervals: VoiceFlagIntervalTable;
  heartbeats: HeartbeatTable;
  member_timezones: MemberTimezoneTable;
  members: MemberTable;
  guilds: GuildTable;
  rank_emoji: RankEmojiTable;
  privacy_opt_outs: PrivacyOptOutTable;
  privacy_settings: PrivacySettingsTable;
  voice_greeting_settings: VoiceGreetingSettingsTable;
  voice_greetings: VoiceGreetingTable;
  party_settings: PartySettingsTable;
  party_alerts: PartyAlertTable;
  party_alert_members: PartyAlertMemberTable;
  reminder_settings: ReminderSettingsTable;
  reminders_sent: ReminderSentTable;
}

export interface GuildConfigTable {
  guild_id: string;
  /** Text channel that receives the daily message; null until an admin picks one. */
  channel_id: string | null;
  /** IANA zone the guild's hours and post time are read in. */
  timezone: Generated<string>;
  /** First hour slot of the evening (0–23, guild time). */
  first_hour: Generated<number>;
  /** Last hour slot, inclusive; smaller than first_hour when the evening crosses midnight. */
  last_hour: Generated<number>;
  /** When the daily message is posted, `HH:MM` guild time. */
  post_time: Generated<string>;
  created_at: number;
  updated_at: number;
}

export type GuildConfigRow = Selectable<GuildConfigTable>;
export type NewGuildConfig = Insertable<GuildConfigTable>;
export type GuildConfigUpdate = Updateable<GuildConfigTable>;

/** `date` is the guild-local calendar date `YYYY-MM-DD` the message is for. */
export interface DailyPostTable {
  guild_id: string;
  date: string;
  channel_id: string;
  /** Sent as `nonce` with `enforce_nonce`, so a retried create returns the first message. */
  nonce: string;
  /** planned → posted (message exists) → reacted (slot reactions added); failed = gave up (e.g. no access). */
  state: 'planned' | 'posted' | 'reacted' | 'failed';
  message_id: string | null;
  /** The zone and hours the message was made with, so later config changes don't reshape it. */
  timezone: string;
  first_hour: number;
  last_hour: number;
  error: string | null;
  created_at: number;
  posted_at: number | null;
  /** When the reactions stopped matching the votes (cleared, or a replacement posted); votes before it are kept. */
  reactions_reset_at: number | null;
  /** Times today's message was posted again after it was deleted. */
  replacements: Generated<number>;
}

export type Declared = 'schedule' | 'reaction' | 'out';

export interface AvailabilityTable {
  guild_id: string;
  date: string;
  user_id: string;
  /** Local hour of the slot (guild zone of the post). */
  hour: number;
  declared: Declared | null;
  seen_in_voice: Generated<number>;
  updated_at: number;
}

/** A member Discord said is no longer in the guild (10007); removed when a payload shows them again. */
export interface DepartedMemberTable {
  guild_id: string;
  user_id: string;
  departed_at: number;
}

export interface ScheduleTable {
  guild_id: string;
  user_id: string;
  /** ISO weekday, 1 = Monday … 7 = Sunday, in guild time. */
  weekday: number;
  hour: number;
  created_at: number;
}

export interface MessageEditTable {
  message_id: string;
  channel_id: string;
  /** Bumped by every change to what the message should say. */
  dirty_version: Generated<number>;
  /** The dirty_version the last successful edit rendered. */
  edited_version: Generated<number>;
  lease_owner: string | null;
  lease_until: Generated<number>;
}

export interface RateBucketTable {
  bucket: string;
  tokens: number;
  updated_at: number;
}

export interface MemberNoticeTable {
  guild_id: string;
  user_id: string;
  reason: string;
  date: string;
  sent_at: number;
}

export interface VoiceStayTable {
  id: Generated<number>;
  guild_id: string;
  channel_id: string;
  user_id: string;
  started_at: number;
  /** Null while the member is still in the channel. */
  ended_at: number | null;
  /** 1 when closed at the bot's last heartbeat after a crash rather than at a real leave. */
  end_estimated: Generated<number>;
  /** 1 in the guild's AFK channel: tracked, never counted as playing time. */
  afk: Generated<number>;
}

export interface VoiceFlagIntervalTable {
  id: Generated<number>;
  stay_id: number;
  kind: 'mute' | 'deaf';
  started_at: number;
  ended_at: number | null;
}

export interface HeartbeatTable {
  process: string;
  beat_at: number;
  started_at: number;
}

export interface MemberTimezoneTable {
  guild_id: string;
  user_id: string;
  timezone: string;
  updated_at: number;
}

export interface MemberTable {
  guild_id: string;
  user_id: string;
  display_name: string;
  avatar: string | null;
  /** JSON array of role ids. */
  roles: Generated<string>;
  bot: Generated<number>;
  fetched_at: number;
}

export interface GuildTable {
  guild_id: string;
  name: Generated<string>;
  afk_channel_id: string | null;
  /** JSON array of `{ id, name, position }`. */
  roles: Generated<string>;
  /** JSON array of `{ id, name, type }`. */
  channels: Generated<string>;
  updated_at: number;
}

export interface RankEmojiTable {
  guild_id: string;
  role_id: string;
  emoji: string;
  created_at: number;
}

/** A member who turned voice tracking off in a guild; survives `/privacy erase` (it is the choice itself). */
export interface PrivacyOptOutTable {
  guild_id: string;
  user_id: string;
  opted_out_at: number;
}

/** Per guild, nothing about members: retention and the privacy change counter. */
export interface PrivacySettingsTable {
  guild_id: string;
  /** Voice stays and votes older than this many days are deleted by the daily retention job. */
  retention_days: Generated<number>;
  /** Guild-local date `YYYY-MM-DD` the retention job last ran. */
  retention_ran_on: string | null;
  /** Bumped by every erase, opt-out/in and purge: cached chart data of an older generation is stale. */
  generation: Generated<number>;
  updated_at: number;
}

/** Per guild: the spoken greeting in voice (off by default); `voice`/`speed` null = defaults. */
export interface VoiceGreetingSettingsTable {
  guild_id: string;
  enabled: Generated<number>;
  /** Seconds the member must stay alone before the bot joins. */
  delay_s: Generated<number>;
  /** espeak-ng voice (`-v`), e.g. `en-us`. */
  voice: string | null;
  /** espeak-ng words per minute (`-s`). */
  speed: number | null;
  /** 1 = greet even when nobody else has signed up ("nobody else has signed up yet"). */
  say_nobody: Generated<number>;
  updated_at: number;
}

/** One greeting per member per guild-local hour (`yyyy-MM-ddTHH`). */
export interface VoiceGreetingTable {
  guild_id: string;
  user_id: string;
  hour_key: string;
  greeted_at: number;
}

/** Per guild: the party-ready alert (`size` 0 = off) and the role it pings. */
export interface PartySettingsTable {
  guild_id: string;
  size: Generated<number>;
  role_id: string | null;
  updated_at: number;
}

/** One party alert per guild, daily-message date and hour slot: the intent, then the message. */
export interface PartyAlertTable {
  guild_id: string;
  date: string;
  hour: number;
  /** Unix seconds at which the slot starts. */
  slot_unix: number;
  channel_id: string;
  /** Sent with `enforce_nonce`, so a retried create returns the first message. */
  nonce: string;
  state: 'planned' | 'posted' | 'failed';
  /** How many were coming when the alert was claimed (members who opted out of tracking included, unnamed). */
  coming: number;
  /** The role pinged, as configured at the claim. */
  role_id: string | null;
  message_id: string | null;
  error: string | null;
  created_at: number;
  posted_at: number | null;
}

/** The members an alert names, in order; `mentioned` = pinged (opted in with `/remind party on`). */
export interface PartyAlertMemberTable {
  guild_id: string;
  date: string;
  hour: number;
  user_id: string;
  position: number;
  mentioned: Generated<number>;
}

/** A member's reminder choices in a guild. */
export interface ReminderSettingsTable {
  guild_id: string;
  user_id: string;
  /** DM this many minutes before their first hour of the day; null = no reminder. */
  minutes: number | null;
  /** 1 = mention me in party alerts. */
  party: Generated<number>;
  /** When a DM failed with 50007 (DMs closed): no reminder is tried until they set one again. */
  dms_closed_at: number | null;
  updated_at: number;
}

/** One reminder per member per daily-message date: the intent (with its nonce), then what became of it. */
export interface ReminderSentTable {
  guild_id: string;
  user_id: string;
  date: string;
  hour: number;
  slot_unix: number;
  due_at: number;
  nonce: string;
  state: 'planned' | 'sent' | 'dropped' | 'closed' | 'failed';
  created_at: number;
  sent_at: number | null;
}

/** The database or a transaction on it: what a query that may run inside a caller's transaction takes. */
export type Db = Kysely<Database> | Transaction<Database>;
