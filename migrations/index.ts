import type { Migration } from 'kysely';
import * as guildConfig from './2026-11-23-001-guild-config.js';
import * as dailyMessage from './2026-11-23-002-daily-message.js';
import * as voice from './2026-11-23-003-voice.js';
import * as privacy from './2026-11-23-004-privacy.js';
import * as voiceGreeting from './2026-11-23-005-voice-greeting.js';
import * as voiceStaysLong from './2026-12-01-001-voice-stays-long.js';
import * as voiceStaysUserCovering from './2026-12-01-002-voice-stays-user-covering.js';
import * as voiceStaysMemberChannel from './2026-12-01-003-voice-stays-member-channel.js';
import * as availabilityMemberDate from './2026-12-01-004-availability-member-date.js';
import * as dailyPostRecovery from './2026-12-04-001-daily-post-recovery.js';
import * as departedMembers from './2026-12-04-002-departed-members.js';
import * as partyAlerts from './2026-12-05-010-party-alerts.js';

/**
 * Every migration, by its dated name. Listed in code (not read from disk) so the same list works
 * from TypeScript under vitest/tsx and from the compiled `dist/`. Append only.
 */
export const migrations: Record<string, Migration> = {
  '2026-11-23-001-guild-config': guildConfig,
  '2026-11-23-002-daily-message': dailyMessage,
  '2026-11-23-003-voice': voice,
  '2026-11-23-004-privacy': privacy,
  '2026-11-23-005-voice-greeting': voiceGreeting,
  '2026-12-01-001-voice-stays-long': voiceStaysLong,
  '2026-12-01-002-voice-stays-user-covering': voiceStaysUserCovering,
  '2026-12-01-003-voice-stays-member-channel': voiceStaysMemberChannel,
  '2026-12-01-004-availability-member-date': availabilityMemberDate,
  '2026-12-04-001-daily-post-recovery': dailyPostRecovery,
  '2026-12-04-002-departed-members': departedMembers,
  '2026-12-05-010-party-alerts': partyAlerts,
};
