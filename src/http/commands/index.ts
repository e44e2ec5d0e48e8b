import type { CommandHandler, ComponentHandler } from '../handler.js';
import { configCommand } from './config.js';

/** Every slash command rollcall registers and serves. */
export const commands: readonly CommandHandler[] = [configCommand];

/** Every component handler, by `custom_id` key. */
export const components: readonly ComponentHandler[] = [];
