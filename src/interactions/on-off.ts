import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { UserError } from '../shared/errors.js';
import type { CommandOptions } from './context.js';

/**
 * The `state: on | off` option of a subcommand that switches something (`/remind party`,
 * `/config voice-greeting`): Discord offers the two choices.
 * @see https://discord.com/developers/docs/interactions/application-commands#application-command-object-application-command-option-choice-structure
 */
export const ON_OFF_OPTION = {
  type: ApplicationCommandOptionType.String as const,
  name: 'state',
  description: 'on or off',
  required: true,
  choices: [
    { name: 'on', value: 'on' },
    { name: 'off', value: 'off' },
  ],
};

/** The `state` option as a switch; anything but `on`/`off` (a hand-made request) is a clear error. */
export function onOff(options: CommandOptions): boolean {
  const state = options.string('state');
  if (state !== 'on' && state !== 'off') throw new UserError('Say `on` or `off`.');
  return state === 'on';
}
