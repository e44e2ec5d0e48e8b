import type { Deps } from '../handler.js';

/** Every part `/config`'s subcommands use; each subcommand file takes the ones it needs. */
export const CONFIG_USES = ['guildConfig', 'rankEmoji', 'retention', 'greeting', 'greetingSettings', 'posts', 'postView', 'postRepair', 'partySettings'] as const;

export type ConfigDeps = Deps<(typeof CONFIG_USES)[number]>;
