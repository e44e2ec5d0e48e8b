import type { GatewayGuildCreateDispatch } from 'discord-api-types/v10';
import type { EventHandler } from './handler.js';
import { toMemberInfo, toVoiceState } from './voice-translate.js';

/**
 * GUILD_CREATE, at connect and whenever a guild becomes available: remembers the guild (AFK
 * channel, roles, channels) and the members it carries (those in voice, without the privileged
 * members intent), then repairs the voice stays against `voice_states` both ways.
 * @see https://discord.com/developers/docs/events/gateway-events#guild-create
 */
export const guildCreate: EventHandler<GatewayGuildCreateDispatch, 'clock' | 'guilds' | 'log' | 'members' | 'privacy' | 'voice'> = {
  event: 'GUILD_CREATE',
  uses: ['clock', 'guilds', 'log', 'members', 'privacy', 'voice'],
  async handle(deps, { d }) {
    if (d.unavailable) return;
    const at = deps.clock.now();
    const bots = new Set<string>();
    for (const m of d.members ?? []) if (m.user.bot) bots.add(m.user.id);
    const states = (d.voice_states ?? []).map((s) => toVoiceState(s, bots.has(s.user_id) || s.member?.user.bot === true));
    // Queued before anything is awaited: a VOICE_STATE_UPDATE right behind this event must not overtake it.
    const guildStored = deps.guilds.remember({
      guildId: d.id,
      name: d.name,
      afkChannelId: d.afk_channel_id,
      roles: d.roles.map((r) => ({ id: r.id, name: r.name, position: r.position })),
      channels: (d.channels ?? []).map((c) => ({ id: c.id, name: c.name ?? '', type: c.type })),
    });
    const reconciled = deps.voice.reconcile(d.id, states, at, { after: guildStored });
    await guildStored;
    // As in voice-state.ts: a member who turned voice tracking off leaves no trace from the
    // gateway, not even a name (after an erase, a restart must not bring their row back).
    const optedOut = await deps.privacy.optedOut(d.id);
    for (const m of d.members ?? []) {
      const member = toMemberInfo(m);
      if (member && !optedOut.has(member.userId)) await deps.members.remember(d.id, member);
    }
    const { opened, closed } = await reconciled;
    if (opened + closed > 0) deps.log.info({ guildId: d.id, opened, closed }, 'voice stays reconciled');
  },
};
