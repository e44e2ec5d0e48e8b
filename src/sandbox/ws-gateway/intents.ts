/**
 * Gateway intents: which dispatches a session gets, which intents are privileged, and the
 * application flags that say a privileged intent is enabled.
 * @see https://discord.com/developers/docs/events/gateway#gateway-intents
 * @see https://discord.com/developers/docs/events/gateway#privileged-intents
 */
import { ApplicationFlags, GatewayIntentBits } from 'discord-api-types/v10';

/** Every intent bit Discord defines (anything else in IDENTIFY is 4013 Invalid intent(s)). */
export const ALL_INTENTS: number = Object.values(GatewayIntentBits)
  .filter((v): v is number => typeof v === 'number')
  .reduce((all, bit) => all | bit, 0);

/** GUILD_MEMBERS, GUILD_PRESENCES and MESSAGE_CONTENT need to be enabled for the app (else 4014). */
export const PRIVILEGED_INTENTS = GatewayIntentBits.GuildMembers | GatewayIntentBits.GuildPresences | GatewayIntentBits.MessageContent;

/** The application flags Discord shows for the enabled privileged intents. */
export function applicationFlagsFor(privilegedIntents: number): number {
  let flags = 0;
  if (privilegedIntents & GatewayIntentBits.GuildPresences) flags |= ApplicationFlags.GatewayPresence;
  if (privilegedIntents & GatewayIntentBits.GuildMembers) flags |= ApplicationFlags.GatewayGuildMembers;
  if (privilegedIntents & GatewayIntentBits.MessageContent) flags |= ApplicationFlags.GatewayMessageContent;
  return flags;
}
