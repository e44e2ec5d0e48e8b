/** How many members an alert or a reminder names before "and N more". */
export const MAX_NAMED = 20;

/** `A, B, C and 2 more`: the names shown, then how many more there are (shown or not). */
export function nameList(names: readonly string[], total: number): string {
  const shown = names.slice(0, MAX_NAMED);
  const more = total - shown.length;
  if (shown.length === 0) return `${total}`;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** A member an alert names: pinged (`<@id>`) when they opted in, else their label as on the daily message. */
export interface AlertMember {
  userId: string;
  label: string;
  mentioned: boolean;
}

/** The start of an alert's text, unique per hour slot: how a post retried after a crash is found. */
export const alertHeader = (slotUnix: number) => `🎉 <t:${slotUnix}:t> has `;

/**
 * "🎉 21:00 has 5: Alice, @Bob, … — see you there @Role". `coming` counts everyone coming, also members
 * who turned tracking off, who are never named (they make the "and N more").
 */
export function renderPartyAlert(a: { slotUnix: number; coming: number; named: readonly AlertMember[]; roleId: string | null }): string {
  const names = a.named.map((m) => (m.mentioned ? `<@${m.userId}>` : m.label));
  const who = names.length ? `${a.coming}: ${nameList(names, a.coming)}` : `${a.coming}`;
  return `${alertHeader(a.slotUnix)}${who} — see you there${a.roleId ? ` <@&${a.roleId}>` : ''}`;
}

/** The start of a reminder's text for a slot: how a DM retried after a crash is found. */
export const reminderHeader = (slotUnix: number) => `⏰ Your evening starts <t:${slotUnix}:R>, at <t:${slotUnix}:t>.`;

/** The reminder DM: when, who else is coming then, where today's message is, how to stop it. */
export function renderReminder(r: { slotUnix: number; others: readonly string[]; othersTotal: number; link: string | null }): string {
  const others = r.othersTotal > 0 ? `Also coming then: ${nameList(r.others, r.othersTotal)}.` : 'Nobody else has signed up for that hour yet.';
  const link = r.link ? ` Today's message: ${r.link}` : '';
  return `${reminderHeader(r.slotUnix)} ${others}${link}\n(\`/remind off\` stops these reminders.)`;
}
