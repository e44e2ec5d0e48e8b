import { PermissionFlagsBits } from 'discord-api-types/v10';

/**
 * What the bot asks for when invited, and why each is needed. Not Use External Emojis: rank emoji
 * are unicode or this server's own (`/config rank` checks them against the server's emoji list), so
 * the bot never writes another server's emoji and does not ask to.
 * @see https://discord.com/developers/docs/topics/permissions#permissions-bitwise-permission-flags
 */
export const BOT_PERMISSIONS = {
  ViewChannel: 'see the availability channel',
  SendMessages: 'post the daily message',
  AddReactions: 'add the hour reactions under it',
  ReadMessageHistory: 'read reactions on the daily message after a restart',
  ManageMessages: "remove stray emoji and votes on yesterday's message",
  Connect: 'join voice for the opt-in greeting',
  Speak: 'say who is coming in the greeting',
} as const satisfies Partial<Record<keyof typeof PermissionFlagsBits, string>>;

export function botPermissionBits(): bigint {
  return Object.keys(BOT_PERMISSIONS).reduce((bits, name) => bits | PermissionFlagsBits[name as keyof typeof PermissionFlagsBits], 0n);
}

/** The OAuth2 URL that adds the bot and its commands to a server with exactly these permissions. */
export function inviteUrl(applicationId: string): string {
  const params = new URLSearchParams({ client_id: applicationId, scope: 'bot applications.commands', permissions: String(botPermissionBits()) });
  return `https://discord.com/oauth2/authorize?${params.toString().replace(/\+/g, '%20')}`;
}
