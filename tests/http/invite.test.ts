import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord-api-types/v10';
import { describe, expect, it } from 'vitest';
import { BOT_PERMISSIONS, botPermissionBits } from '../../src/shared/discord/permissions.js';

const REPO = join(import.meta.dirname, '../..');

/** `npm run invite` as an operator runs it, against what README tells them to expect. */
describe('npm run invite', () => {
  const run = () =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/invite.ts'], {
      cwd: REPO,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', DISCORD_APPLICATION_ID: '123456789012345678' },
      timeout: 30_000,
    });

  it('asks for exactly what README lists — no Use External Emojis, since rank emoji are only unicode or this server’s', () => {
    const r = run();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Permissions integer: 3222592');
    expect(r.stdout).toContain('https://discord.com/oauth2/authorize?client_id=123456789012345678&scope=bot%20applications.commands&permissions=3222592');
    expect(r.stdout).not.toMatch(/External/);
    expect(botPermissionBits() & PermissionFlagsBits.UseExternalEmojis).toBe(0n);
    expect(Object.keys(BOT_PERMISSIONS)).toEqual(['ViewChannel', 'SendMessages', 'AddReactions', 'ReadMessageHistory', 'ManageMessages', 'Connect', 'Speak']);

    const readme = readFileSync(join(REPO, 'README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme).toContain(`The permissions integer is **${botPermissionBits()}** (View Channel, Send Messages, Add Reactions, Read Message History, Manage Messages, Connect, Speak)`);
    expect(readme).toContain(`&permissions=${botPermissionBits()}\``);
    expect(readme).not.toContain('3484736');
  }, 40_000);
});
