import type { CommandHandler, ComponentHandler } from '../handler.js';
import { configCommand } from './config.js';
import { statsCommand } from './stats.js';

/** Every slash command rollcall registers and serves. */
export const commands: readonly CommandHandler[] = [configCommand, statsCommand];

/** Every component handler, by `custom_id` key. */
export const components: readonly ComponentHandler[] = [];
