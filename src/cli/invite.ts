import { BOT_PERMISSIONS, botPermissionBits, inviteUrl } from '../shared/discord/permissions.js';

/** `npm run invite`: prints the invite URL for DISCORD_APPLICATION_ID and what each permission is for. */
const applicationId = process.env.DISCORD_APPLICATION_ID?.trim();
if (!applicationId || !/^\d{17,20}$/.test(applicationId)) {
  console.error('rollcall: configuration error: DISCORD_APPLICATION_ID is missing or not a Discord id');
  process.exit(78);
}
console.log(`Permissions integer: ${botPermissionBits()}`);
for (const [name, why] of Object.entries(BOT_PERMISSIONS)) console.log(`  ${name}: ${why}`);
console.log(`\nInvite URL:\n${inviteUrl(applicationId)}`);
