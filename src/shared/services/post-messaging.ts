import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { DiscordApi } from '../discord/rest.js';
import type { Logger } from '../logger.js';
import type { DailyPostReader } from './daily-post-row.js';
import type { MemberLabels } from './member-labels.js';

/**
 * What a service needs that writes to members about today's message (the party alert in the
 * channel, the reminder DMs): the database, Discord, the time, the log, the posts and members' names.
 */
export interface PostMessagingDeps {
  db: Kysely<Database>;
  discord: DiscordApi;
  clock: Clock;
  log: Logger;
  /** Today's message of a guild: its slots, its channel, who is coming. */
  posts: DailyPostReader;
  /** Members' names as the messages show them. */
  labels: MemberLabels;
}
