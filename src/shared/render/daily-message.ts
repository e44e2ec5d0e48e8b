import { DateTime } from 'luxon';
import type { Declared } from '../db/schema.js';
import type { Slot } from '../time/slots.js';

/** Discord's limit on message content. */
export const MAX_CONTENT = 2000;

export interface SlotMember {
  userId: string;
  declared: Declared | null;
  seenInVoice: boolean;
}

export interface DailyView {
  /** YYYY-MM-DD in the guild zone. */
  date: string;
  zone: string;
  slots: readonly Slot[];
  /** Members per slot hour, in the order they should be listed. */
  members: ReadonlyMap<number, readonly SlotMember[]>;
  /** Label per user id (display name, rank emoji prefix), from the member cache. */
  labels: ReadonlyMap<string, string>;
  /** When the reactions were cleared or the message replaced: the votes from before have no reaction. */
  reactionsResetAt?: number | null;
  /**
   * The turnout forecast per slot hour: how many of its members are expected in voice then
   * (`services/turnout-forecast.ts`). Absent when the guild has too little history to say.
   */
  likely?: ReadonlyMap<number, number>;
}

export const MARK_SCHEDULE = '📅';
export const MARK_VOICE = '🎧';

/** Whether a member counts as coming in a slot. */
export function isComing(m: SlotMember): boolean {
  return m.declared === 'schedule' || m.declared === 'reaction' || m.seenInVoice;
}

function memberText(m: SlotMember, labels: ReadonlyMap<string, string>): string {
  const label = labels.get(m.userId) ?? `<@${m.userId}>`;
  const marks = `${m.declared === 'schedule' ? ` ${MARK_SCHEDULE}` : ''}${m.seenInVoice ? ` ${MARK_VOICE}` : ''}`;
  return `${label}${marks}`;
}

/** ` · likely 3`: the expected count rounded to a whole member, as people count. */
function likelyText(expected: number | undefined): string {
  return expected === undefined ? '' : ` · likely ${Math.round(expected)}`;
}

function slotLine(slot: Slot, coming: readonly SlotMember[], labels: ReadonlyMap<string, string>, maxNames: number, likely: number | undefined): string {
  const time = `${slot.emoji} <t:${slot.unix}:t>`;
  if (coming.length === 0) return `${time} — ·`;
  if (maxNames <= 0) return `${time} — **${coming.length}** coming${likelyText(likely)}`;
  const shown = coming.slice(0, maxNames).map((m) => memberText(m, labels));
  const rest = coming.length - shown.length;
  return `${time} — **${coming.length}**: ${shown.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}${likelyText(likely)}`;
}

/**
 * The daily message text: a header with the date, one line per slot with who is coming (and how
 * many will likely be in voice, once the forecast has history), and a legend. Always under 2000 characters: when names don't fit, each line lists fewer names and
 * says how many more ("and 14 more"), down to a count alone.
 */
export function renderDailyMessage(view: DailyView): string {
  const day = DateTime.fromISO(view.date, { zone: view.zone });
  const header = `**Who's playing tonight?** ${day.toFormat('cccc d LLLL')}`;
  const help = `React with the hours you'll play; **Not tonight** takes you off today only. ${MARK_SCHEDULE} from a schedule (\`/schedule\`) · ${MARK_VOICE} seen in voice${view.likely ? ' · likely N: how many will be in voice, from who showed up when they said so before' : ''}`;
  const coming = view.slots.map((slot) => (view.members.get(slot.hour) ?? []).filter(isComing));
  const longest = Math.max(0, ...coming.map((c) => c.length));
  const reset = view.reactionsResetAt
    ? [`↺ Votes cast before <t:${Math.floor(view.reactionsResetAt / 1000)}:t> are kept, but their reactions are gone: to take one back, click its clock, then click it again.`]
    : [];
  const render = (maxNames: number) => [header, help, ...reset, '', ...view.slots.map((slot, i) => slotLine(slot, coming[i]!, view.labels, maxNames, view.likely?.get(slot.hour)))].join('\n');

  let text = render(longest);
  // Shrink the per-line name budget until it fits; a binary search would save little at ≤ 12 lines.
  for (let maxNames = longest - 1; text.length > MAX_CONTENT && maxNames >= 0; maxNames--) text = render(maxNames);
  return text.length > MAX_CONTENT ? text.slice(0, MAX_CONTENT - 1) + '…' : text;
}
