/**
 * Fills a {@link World} from the fixture: users, the guild with its roles, members, channels
 * (with overwrites), emojis and initial voice states.
 */
import { createHash } from 'node:crypto';
import { channelTypeOf, type FixtureInput } from '../fixture.js';
import type { Overwrite } from '../permissions.js';
import type { GuildRecord, World } from './world.js';

/** A voice session id like Discord's (32 hex characters), stable per user. */
export function voiceSessionId(seed: string): string {
  return createHash('md5').update(`voice:${seed}`).digest('hex');
}

export function seedWorld(world: World, input: FixtureInput): void {
  const app = input.application;
  const members = [...input.members, ...input.extraMembers];
  for (const m of members) {
    world.users.set(m.id, {
      id: m.id,
      username: m.username,
      globalName: m.globalName ?? null,
      bot: m.bot ?? false,
      dmsClosed: m.dmsClosed ?? false,
      locale: m.locale ?? 'en-US',
    });
  }
  if (!world.users.has(app.id)) {
    world.users.set(app.id, { id: app.id, username: app.name, globalName: null, bot: true, dmsClosed: false, locale: 'en-US' });
  }
  const key = <T extends { key: string; id: string }>(list: T[], k: string | undefined): string | null => (k === undefined ? null : (list.find((x) => x.key === k)?.id ?? null));
  const g = input.guild;
  const guild: GuildRecord = {
    id: g.id,
    name: g.name,
    ownerId: key(members, g.ownerKey) ?? app.id,
    afkChannelId: key(input.channels, g.afkChannelKey),
    afkTimeout: g.afkTimeout ?? 300,
    preferredLocale: g.preferredLocale,
    roles: new Map(),
    members: new Map(),
    emojis: new Map(input.emojis.map((e) => [e.id, { id: e.id, name: e.name, animated: e.animated ?? false }])),
    voice: new Map(),
    channelIds: [],
  };
  input.roles.forEach((r, i) => {
    const id = r.key === 'everyone' ? g.id : r.id;
    guild.roles.set(id, {
      id,
      name: r.name,
      permissions: r.permissions,
      color: r.color ?? 0,
      hoist: r.hoist ?? false,
      position: r.key === 'everyone' ? 0 : input.roles.length - i,
      managedByBotId: r.managedByBot ? key(members, r.managedByBot) : null,
    });
  });
  const joinedAt = new Date(Date.UTC(2023, 5, 1)).toISOString();
  for (const m of members) {
    guild.members.set(m.id, {
      userId: m.id,
      nick: m.nick ?? null,
      roles: m.roles.map((rk) => key(input.roles, rk)).filter((id): id is string => id !== null && id !== g.id),
      joinedAt,
    });
  }
  const positions = new Map<string, number>();
  for (const c of input.channels) {
    const kind = c.type;
    const position = positions.get(kind) ?? 0;
    positions.set(kind, position + 1);
    const overwrites: Overwrite[] = (c.overwrites ?? []).map((o) => ({
      id: o.roleKey ? (o.roleKey === 'everyone' ? g.id : (key(input.roles, o.roleKey) ?? '0')) : (key(members, o.memberKey) ?? '0'),
      type: o.roleKey ? 0 : 1,
      allow: o.allow ?? 0n,
      deny: o.deny ?? 0n,
    }));
    world.channels.set(c.id, {
      id: c.id,
      type: channelTypeOf(kind),
      guildId: g.id,
      name: c.name,
      position,
      parentId: key(input.channels, c.parentKey),
      topic: c.topic ?? null,
      overwrites,
      recipientId: null,
      lastMessageId: null,
    });
    guild.channelIds.push(c.id);
  }
  world.guilds.set(g.id, guild);
  for (const v of input.voice) {
    const userId = key(members, v.memberKey);
    const channelId = key(input.channels, v.channelKey);
    if (!userId || !channelId) continue;
    guild.voice.set(userId, {
      userId,
      channelId,
      sessionId: voiceSessionId(userId),
      selfMute: v.selfMute ?? false,
      selfDeaf: v.selfDeaf ?? false,
      selfVideo: false,
      mute: false,
      deaf: false,
    });
  }
}
