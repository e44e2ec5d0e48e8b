import { DateTime } from 'luxon';
import type { GreetingFacts } from '../shared/services/voice-greeting.js';

export type { GreetingFacts };

export interface SentenceLimits {
  /** Names spoken in all; the rest are counted. Default 6. */
  maxNames?: number;
  /** Names spoken for one time; the rest are counted. Default 3. */
  maxPerTime?: number;
  /** Times spoken; later ones are summed up as "N more later". Default 4. */
  maxTimes?: number;
}

/**
 * A name as it can be spoken: emoji, Discord markdown and control characters removed, spaces
 * collapsed, at most 32 characters; null when nothing speakable is left.
 */
export function speakableName(displayName: string | null): string | null {
  if (!displayName) return null;
  const cleaned = displayName
    .replace(/\p{Extended_Pictographic}|\p{Emoji_Modifier}|\p{Regional_Indicator}|\u200d|\ufe0f|\u20e3/gu, ' ')
    .replace(/[\p{Cc}\p{Cf}*_~`|<>@\\]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 32)
    .trim();
  return /[\p{L}\p{N}]/u.test(cleaned) ? cleaned : null;
}

/** "9", "9:30", "midnight", "noon": a wall-clock time as people say it (12-hour, no am/pm). */
export function spokenTime(hour: number, minute = 0): string {
  if (minute === 0 && hour === 0) return 'midnight';
  if (minute === 0 && hour === 12) return 'noon';
  const h12 = hour % 12 === 0 ? 12 : hour % 12;
  return minute === 0 ? String(h12) : `${h12}:${String(minute).padStart(2, '0')}`;
}

const one = (n: number) => (n === 1 ? 'one' : String(n));

/** "a", "a and b", "a, b and c". */
function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

interface TimeGroup {
  section: 'tonight' | 'after midnight';
  time: string;
  names: string[];
  unnamed: number;
}

/**
 * Groups comers by the local time their slot starts. Times come from the slot's real start in the
 * zone, so on a spring-forward night a skipped 2 am is said as 3 (when it really starts). Slots
 * after midnight (1 am on) get their own "After midnight" part while it is still the evening
 * before; midnight itself stays "tonight".
 */
function groupByTime(facts: GreetingFacts): TimeGroup[] {
  const nowDate = DateTime.fromMillis(facts.at, { zone: facts.zone }).toISODate();
  const groups: TimeGroup[] = [];
  for (const comer of facts.comers) {
    const start = DateTime.fromMillis(comer.slotStart, { zone: facts.zone });
    const nextDay = start.toISODate()! > facts.date && nowDate === facts.date && start.hour >= 1;
    const section = nextDay ? 'after midnight' : 'tonight';
    const time = spokenTime(start.hour, start.minute);
    let group = groups.find((g) => g.section === section && g.time === time);
    if (!group) {
      group = { section, time, names: [], unnamed: 0 };
      groups.push(group);
    }
    const name = speakableName(comer.name);
    if (name && !group.names.includes(name)) group.names.push(name);
    else group.unnamed += 1;
  }
  return groups;
}

/** "Bob, Carol and 2 more at 9", "someone at 10", "2 people at 11". */
function sayGroup(names: readonly string[], extra: number, time: string): string {
  if (names.length === 0) return `${extra === 1 ? 'someone' : `${extra} people`} at ${time}`;
  return `${list(extra > 0 ? [...names, `${one(extra)} more`] : names)} at ${time}`;
}

/**
 * The spoken greeting: "Hi Alice. Tonight: Bob at 9, Carol and Dan at 10. After midnight: Eve at 1."
 * Long lists are cut to a few names per time and a few times, the rest counted ("and 4 more later").
 * With nobody else: "Hi Alice. Nobody else has signed up yet."
 */
export function greetingSentence(facts: GreetingFacts, limits: SentenceLimits = {}): string {
  const maxNames = limits.maxNames ?? 6;
  const maxPerTime = limits.maxPerTime ?? 3;
  const maxTimes = limits.maxTimes ?? 4;
  const hello = `Hi ${speakableName(facts.name) ?? 'there'}.`;
  const groups = groupByTime(facts);
  if (groups.length === 0) return `${hello} Nobody else has signed up yet.`;

  const parts: { section: TimeGroup['section']; text: string }[] = [];
  let budget = maxNames;
  let later = 0;
  for (const [i, group] of groups.entries()) {
    const people = group.names.length + group.unnamed;
    // Always say the first time; stop once the name budget or the number of times runs out.
    if (i > 0 && (i >= maxTimes || (budget <= 0 && group.names.length > 0))) {
      later += people;
      continue;
    }
    const names = group.names.slice(0, Math.max(0, Math.min(maxPerTime, budget)));
    budget -= names.length;
    parts.push({ section: group.section, text: sayGroup(names, people - names.length, group.time) });
  }

  const sentences: string[] = [];
  for (const section of ['tonight', 'after midnight'] as const) {
    const texts = parts.filter((p) => p.section === section).map((p) => p.text);
    if (texts.length > 0) sentences.push(`${section === 'tonight' ? 'Tonight' : 'After midnight'}: ${texts.join(', ')}`);
  }
  if (later > 0) sentences[sentences.length - 1] += `, and ${one(later)} more later`;
  return `${hello} ${sentences.map((s) => `${s}.`).join(' ')}`;
}
