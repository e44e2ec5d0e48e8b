import type { CommandHandler, ComponentHandler } from '../handler.js';
import { configCommand } from './config.js';
import { timezoneCommand } from './timezone.js';
import { statsCommand } from './stats.js';
import { scheduleCommand, scheduleDays, scheduleHours, scheduleSave } from './schedule.js';
import { privacyCommand, privacyErase, privacyEraseVoice, privacyKeep } from './privacy.js';
import { notTonight } from './not-tonight.js';
import { remindCommand } from './remind.js';

/** Every slash command rollcall registers and serves. */
export const commands: readonly CommandHandler[] = [configCommand, scheduleCommand, timezoneCommand, statsCommand, privacyCommand, remindCommand];

/** Every component handler, by `custom_id` key. */
export const components: readonly ComponentHandler[] = [scheduleDays, scheduleHours, scheduleSave, privacyErase, privacyEraseVoice, privacyKeep, notTonight];
