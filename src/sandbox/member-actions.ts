/**
 * What the guild's members (and moderators) do in the emulator: react, post, delete, join and leave,
 * move in voice, and send interactions. Each is Discord's state change and its gateway dispatch.
 * The {@link Emulator} is this plus the servers and the controls.
 */
import { ComponentType, InteractionType, PermissionFlagsBits } from 'discord-api-types/v10';
import type { RunOptions, VoiceFlags } from './emulator-options.js';
import { DiscordError, unknownMessage } from './errors.js';
import type { Fixture } from './fixture.js';
import type { InteractionClient, InteractionResult } from './interactions/client.js';
import { checkSelectValues, usableCommand, usableComponent } from './interactions/lookup.js';
import { commandData, componentData, type CommandOptionInput } from './interactions/payloads.js';
import { has } from './permissions.js';
import { resolveEmoji } from './rest/routes/reactions.js';
import { addMember, removeMember, updateMember, type NewMember } from './state/members.js';
import { createMessage, deleteMessage } from './state/messages.js';
import { addReaction, clearReactions, removeReaction } from './state/reactions.js';
import { voiceStateJson } from './state/serialize.js';
import { viewMessage, type EmulatedMessage } from './state/view.js';
import { setVoiceState } from './state/voice.js';
import type { MessageRecord, World } from './state/world.js';

export class MemberActions {
  protected constructor(
    readonly world: World,
    readonly fixture: Fixture,
    protected readonly interactions: InteractionClient,
  ) {}

  private visibleMessage(channelId: string, messageId: string, userId: string): MessageRecord {
    const message = this.world.message(channelId, messageId);
    if (message.ephemeralFor && message.ephemeralFor !== userId) throw unknownMessage();
    return message;
  }

  /**
   * A member adds a reaction (`'🕘'` or `'name:id'`): stored, and MESSAGE_REACTION_ADD dispatched
   * with `member`. Reacting twice does nothing, like Discord.
   * @see https://discord.com/developers/docs/topics/gateway-events#message-reaction-add
   */
  async react(userId: string, channelId: string, messageId: string, emoji: string): Promise<void> {
    const message = this.visibleMessage(channelId, messageId, userId);
    if (message.ephemeralFor) throw new DiscordError(400, 50083, 'Cannot react to an ephemeral message');
    addReaction(this.world, message, userId, resolveEmoji(this.world, message, emoji, true));
  }

  /**
   * A member removes their reaction: MESSAGE_REACTION_REMOVE, without `member`.
   * @see https://discord.com/developers/docs/topics/gateway-events#message-reaction-remove
   */
  async unreact(userId: string, channelId: string, messageId: string, emoji: string): Promise<void> {
    const message = this.visibleMessage(channelId, messageId, userId);
    removeReaction(this.world, message, userId, resolveEmoji(this.world, message, emoji, true));
  }

  /** A member posts a message (MESSAGE_CREATE only reaches sessions with GUILD_MESSAGES). */
  async say(userId: string, channelId: string, content: string): Promise<EmulatedMessage> {
    const perms = this.world.permissionsIn(channelId, userId);
    if (!has(perms, PermissionFlagsBits.ViewChannel | PermissionFlagsBits.SendMessages)) throw new DiscordError(403, 50013, 'Missing Permissions');
    const { message } = createMessage(this.world, { channelId, authorId: userId, input: { content } });
    return viewMessage(this.world, message, userId);
  }

  /**
   * A moderator deletes a message (MESSAGE_DELETE, which needs GUILD_MESSAGES — a bot without it
   * finds out on its next edit: 10008 Unknown Message).
   */
  async deleteMessage(channelId: string, messageId: string): Promise<void> {
    deleteMessage(this.world, this.world.message(channelId, messageId));
  }

  /** A moderator removes all reactions, or all of one emoji (MESSAGE_REACTION_REMOVE_ALL / _EMOJI). */
  async clearReactions(channelId: string, messageId: string, emoji?: string): Promise<void> {
    const message = this.world.message(channelId, messageId);
    clearReactions(this.world, message, emoji === undefined ? undefined : resolveEmoji(this.world, message, emoji, true));
  }

  /** A user joins the guild (GUILD_MEMBER_ADD, GUILD_MEMBERS intent only). Returns the new member's id. */
  async addMember(member: NewMember, guildId = this.fixture.guildId): Promise<string> {
    return addMember(this.world, guildId, member);
  }

  /** Changes a member's nick/roles (role ids) — GUILD_MEMBER_UPDATE, GUILD_MEMBERS intent only. */
  async updateMember(userId: string, change: { nick?: string | null; roles?: string[] }, guildId = this.fixture.guildId): Promise<void> {
    updateMember(this.world, guildId, userId, change);
  }

  /** A member leaves the guild (leaving voice first). */
  async removeMember(userId: string, guildId = this.fixture.guildId): Promise<void> {
    removeMember(this.world, guildId, userId);
  }

  private guildOfVoice(userId: string, guildId?: string): string {
    if (guildId) return guildId;
    for (const g of this.world.guilds.values()) if (g.voice.has(userId)) return g.id;
    return this.fixture.guildId;
  }

  /**
   * A member joins (or moves to) a voice channel: VOICE_STATE_UPDATE with the member.
   * @see https://discord.com/developers/docs/topics/gateway-events#voice-state-update
   */
  async joinVoice(userId: string, channelId: string, flags: VoiceFlags = {}): Promise<void> {
    const guildId = this.world.channel(channelId).guildId;
    if (!guildId) throw new DiscordError(400, 50024, 'Cannot execute action on this channel type');
    setVoiceState(this.world, guildId, userId, { channelId, ...flags });
  }

  /** A member leaves voice (VOICE_STATE_UPDATE with `channel_id: null`). */
  async leaveVoice(userId: string, guildId?: string): Promise<void> {
    setVoiceState(this.world, this.guildOfVoice(userId, guildId), userId, { channelId: null });
  }

  /** A member mutes/deafens themselves (deafening also mutes, as in the Discord client). */
  async setVoiceFlags(userId: string, flags: VoiceFlags, guildId?: string): Promise<void> {
    const g = this.guildOfVoice(userId, guildId);
    if (!this.world.guild(g).voice.has(userId)) throw new Error(`member ${userId} is not in voice`);
    const change = { ...flags };
    if (flags.selfDeaf === true && flags.selfMute === undefined) change.selfMute = true;
    setVoiceState(this.world, g, userId, change);
  }

  /**
   * Every member's voice stays in a guild so far (join → move/leave; `to` null while still in),
   * milliseconds on the emulator's calendar: the ground truth a bot's voice time is checked against.
   */
  voiceHistory(guildId = this.fixture.guildId): { userId: string; channelId: string; from: number; to: number | null }[] {
    return this.world.voiceStays.filter((s) => s.guildId === guildId).map(({ userId, channelId, from, to }) => ({ userId, channelId, from, to }));
  }

  /** Current voice states of a guild (default: the fixture guild), as Discord's voice state objects. */
  voiceStates(guildId = this.fixture.guildId) {
    const guild = this.world.guild(guildId);
    return [...guild.voice.values()].map((v) => voiceStateJson(this.world, guildId, v, { withGuild: true, withMember: false }));
  }

  private defaultChannel(options: RunOptions): string {
    return options.channelId ?? this.fixture.channels.tonight ?? [...this.world.channels.values()].find((c) => c.type === 0)?.id ?? '';
  }

  /**
   * A member runs a slash command. `options` are nested exactly as Discord nests them
   * (`[{ type: 1, name: 'show', options: [] }]`); `type` may be omitted, it is taken from the
   * registered definition. The command must be registered.
   * @see https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-application-command-data-structure
   */
  async runCommand(userId: string, name: string, options: CommandOptionInput[] = [], run: RunOptions = {}): Promise<InteractionResult> {
    const channelId = this.defaultChannel(run);
    const command = usableCommand(this.world, userId, name, channelId);
    return this.interactions.send({
      type: InteractionType.ApplicationCommand,
      channelId,
      userId,
      name,
      commandType: 1,
      data: commandData(this.world, command, name, options, channelId, userId),
    });
  }

  /**
   * A member types into an autocomplete option (mark it `focused: true`); resolves with the choices
   * the bot returned.
   * @see https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object-autocomplete
   */
  async autocomplete(userId: string, name: string, options: CommandOptionInput[], run: RunOptions = {}): Promise<{ name: string; value: string | number }[]> {
    const channelId = this.defaultChannel(run);
    const command = usableCommand(this.world, userId, name, channelId);
    const hasFocus = (list: CommandOptionInput[]): boolean => list.some((o) => o.focused || hasFocus(o.options ?? []));
    if (!hasFocus(options)) throw new Error('autocomplete needs one option with focused: true');
    const result = await this.interactions.send({
      type: InteractionType.ApplicationCommandAutocomplete,
      channelId,
      userId,
      name,
      commandType: 1,
      data: commandData(this.world, command, name, options, channelId, userId),
    });
    if (result.error) throw new Error(`autocomplete failed: ${result.error}`);
    return (result.response as { data?: { choices?: { name: string; value: string | number }[] } }).data?.choices ?? [];
  }

  /**
   * A member picks values in a select menu on a message.
   * @see https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-message-component-data-structure
   */
  async selectMenu(userId: string, messageId: string, customId: string, values: string[]): Promise<InteractionResult> {
    const { message, component } = usableComponent(this.world, userId, messageId, customId, 'select');
    checkSelectValues(component, customId, values);
    const { data, message: messageJson } = componentData(this.world, message.id, customId, component.type, values, userId);
    return this.interactions.send({ type: InteractionType.MessageComponent, channelId: message.channelId, userId, data, message: messageJson, customId, componentMessageId: message.id });
  }

  /** A member presses a button on a message. */
  async pressButton(userId: string, messageId: string, customId: string): Promise<InteractionResult> {
    const { message } = usableComponent(this.world, userId, messageId, customId, 'button');
    const { data, message: messageJson } = componentData(this.world, message.id, customId, ComponentType.Button, undefined, userId);
    return this.interactions.send({ type: InteractionType.MessageComponent, channelId: message.channelId, userId, data, message: messageJson, customId, componentMessageId: message.id });
  }

  /**
   * A member submits a modal the bot showed (text inputs by custom_id).
   * @see https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-object-modal-submit-data-structure
   */
  async submitModal(userId: string, customId: string, fields: Record<string, string>, run: RunOptions & { messageId?: string } = {}): Promise<InteractionResult> {
    const channelId = run.messageId ? this.world.findMessage(run.messageId).channelId : this.defaultChannel(run);
    const data = {
      custom_id: customId,
      components: Object.entries(fields).map(([id, value]) => ({ type: 1, components: [{ type: ComponentType.TextInput, custom_id: id, value }] })),
    };
    return this.interactions.send({
      type: InteractionType.ModalSubmit,
      channelId,
      userId,
      data,
      customId,
      ...(run.messageId ? { componentMessageId: run.messageId, message: viewMessage(this.world, this.world.findMessage(run.messageId)) } : {}),
    });
  }

  /** Checks the interactions endpoint like the Developer Portal (signed PING → PONG, bad signature → 401). */
  verifyInteractionsEndpoint() {
    return this.interactions.verifyEndpoint();
  }
}
