import { NOT_TONIGHT_BUTTON } from '../../shared/services/daily-post.js';
import type { ComponentHandler } from '../handler.js';

const KEY = NOT_TONIGHT_BUTTON.customId.slice(0, -1);

/**
 * The daily message's "Not tonight" button: the member is taken off tonight's hours still ahead —
 * clicked or scheduled — for today only, and told so privately.
 */
export const notTonight: ComponentHandler<'availability'> = {
  key: KEY,
  uses: ['availability'],
  async execute(ctx, deps) {
    const { slots } = await deps.availability.skipTonight(ctx.guildId!, ctx.messageId, ctx.actor.userId);
    if (slots.length === 0) {
      return { content: "You're not on tonight's list for the hours still ahead, so there is nothing to take off. Click an hour if you change your mind." };
    }
    const hours = slots.map((s) => `${s.emoji} <t:${s.unix}:t>`).join(', ');
    return {
      content: `👋 You're off tonight's list (${hours}). Your schedule still counts for the other evenings. Changed your mind? Click an hour on the message.`,
    };
  },
};
