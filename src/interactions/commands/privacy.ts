import { ApplicationCommandOptionType, ButtonStyle, ComponentType, type APIActionRowComponent, type APIComponentInMessageActionRow } from 'discord-api-types/v10';
import type { Erased, PrivacySummary } from '../../shared/services/privacy.js';
import { UserError } from '../../shared/errors.js';
import { customId, type CommandContext, type CommandHandler, type ComponentContext, type ComponentHandler, type Deps, type Reply, IN_GUILDS_ONLY } from '../handler.js';

const hours = (ms: number) => (ms / 3_600_000).toFixed(1).replace(/\.0$/, '');
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const stamp = (ms: number, style: 'D' | 'f') => `<t:${Math.floor(ms / 1000)}:${style}>`;

const WHAT_TRACKING_MEANS = 'no voice stays recorded, no automatic "seen in voice" on the daily message, left out of every chart, no voice greeting';

/** `/privacy show`: the summary in plain words. */
export function describeSummary(s: PrivacySummary, retentionDays: number): string {
  const tracking = s.tracked
    ? '🔔 Voice tracking is **on**: I record which voice channel you are in and when you join, leave, mute or deafen, to mark you "seen in voice" on the daily message and to draw charts. `/privacy tracking off` stops it.'
    : `🔕 Voice tracking is **off** since ${stamp(s.optedOutAt!, 'f')}: ${WHAT_TRACKING_MEANS}. \`/privacy tracking on\` turns it back on.`;
  const lines = [
    '**What rollcall stores about you in this server**',
    tracking,
    `• Time zone: ${s.timezone ? `${s.timezone} (from \`/timezone set\`)` : "none set (the server's zone is used)"}`,
    `• Weekly schedule: ${s.scheduleSlots ? plural(s.scheduleSlots, 'weekday × hour slot') : 'none'}`,
    `• Daily messages: ${plural(s.votes, 'hour')} you declared (clock reactions, schedule, or "not this hour"), ${plural(s.seenInVoice, 'hour')} marked "seen in voice"`,
    `• Voice stays: ${s.voiceStays ? `${s.voiceStays} (${hours(s.voiceMs)} h in total, since ${stamp(s.firstStayAt!, 'D')})` : 'none'}`,
    `• Your name, roles and avatar as Discord shows them: ${s.cachedProfile ? 'cached, to write your name on the daily message' : 'not cached'}`,
    ...(s.notices ? [`• ${plural(s.notices, 'notice')} sent to you about a removed reaction (kept so each is sent once a day)`] : []),
    ...(s.reminders ? [`• Reminders: your \`/remind\` choices and the reminders sent (${plural(s.reminders, 'row')}, kept so each is sent once a day)`] : []),
    ...(s.partyAlerts ? [`• ${plural(s.partyAlerts, 'party alert')} that named you`] : []),
    ...Object.entries(s.other).map(([table, n]) => `• ${plural(n, 'row')} in \`${table}\``),
    '',
    `No message content is ever stored. History older than ${retentionDays} days is deleted automatically.`,
    '`/privacy export` sends you all of it as a JSON file; `/privacy erase` deletes it.',
  ];
  return lines.join('\n');
}

/** What `/privacy erase` says it removed, and what happens next. */
export function describeErased(e: Erased): string {
  const parts = [
    plural(e.votes, 'daily-message hour'),
    plural(e.schedules, 'schedule slot'),
    plural(e.voiceStays, 'voice stay'),
    ...(e.timezone ? ['your time zone'] : []),
    ...(e.profile ? ['your cached name, roles and avatar'] : []),
    ...(e.notices ? [plural(e.notices, 'notice')] : []),
    ...(e.reminders ? [`your reminders (${plural(e.reminders, 'row')})`] : []),
    ...(e.partyAlerts ? [`the record of ${plural(e.partyAlerts, 'party alert')} naming you`] : []),
    ...Object.entries(e.other).map(([table, n]) => `${plural(n, 'row')} in \`${table}\``),
  ];
  const next = e.keptOptOut
    ? 'I kept exactly one row: your voice-tracking opt-out, the one thing I need to keep honouring it. `/privacy tracking on` removes it too.'
    : 'Voice tracking is still on, so from your next voice join, click or `/timezone` I store things again. `/privacy tracking off` stops the voice part.';
  return [
    `🗑️ Erased: ${parts.join(', ')}.`,
    "You're off today's message (it updates in a moment), and charts are drawn from what remains.",
    next,
    ...(e.reactionsRemoved ? [`I took your ${plural(e.reactionsRemoved, 'clock reaction')} off today's message too.`] : []),
  ].join('\n');
}

function row(...buttons: { label: string; style: ButtonStyle.Danger | ButtonStyle.Secondary; id: string }[]): APIActionRowComponent<APIComponentInMessageActionRow> {
  return { type: ComponentType.ActionRow, components: buttons.map((b) => ({ type: ComponentType.Button, style: b.style, label: b.label, custom_id: b.id })) };
}

async function show(ctx: CommandContext, guildId: string, userId: string, deps: PrivacyDeps): Promise<Reply> {
  const [summary, days] = await Promise.all([deps.privacy.summary(guildId, userId), deps.retention.days(guildId)]);
  return { content: describeSummary(summary, days) };
}

async function exportFile(ctx: CommandContext, guildId: string, userId: string, deps: PrivacyDeps): Promise<Reply> {
  const data = await deps.privacy.export(guildId, userId);
  const json = Buffer.from(`${JSON.stringify(data, null, 2)}\n`, 'utf8');
  return {
    content: `📦 Everything rollcall stores about you in this server: ${plural(data.voice_stays.length, 'voice stay')}, ${plural(data.votes.length, 'daily-message hour')}, ${plural(data.schedules.length, 'schedule slot')}, ${plural(data.co_presence.length, 'member')} you spent time with (by id only).`,
    files: [{ name: `rollcall-privacy-${guildId}-${userId}.json`, data: json, contentType: 'application/json' }],
  };
}

async function askErase(ctx: CommandContext, guildId: string, userId: string, deps: PrivacyDeps): Promise<Reply> {
  const s = await deps.privacy.summary(guildId, userId);
  return {
    content: [
      '⚠️ **Erase everything rollcall stores about you in this server?**',
      `That is ${plural(s.votes + s.seenInVoice, 'daily-message mark')}, ${plural(s.scheduleSlots, 'schedule slot')}, ${plural(s.voiceStays, 'voice stay')}${s.timezone ? ', your time zone' : ''}${s.cachedProfile ? ', your cached name' : ''}. It cannot be undone; \`/privacy export\` first if you want a copy.`,
    ].join('\n'),
    components: [
      row({ label: 'Erase everything', style: ButtonStyle.Danger, id: customId('privacy-erase', userId) }, { label: 'Cancel', style: ButtonStyle.Secondary, id: customId('privacy-keep', userId) }),
    ],
  };
}

async function tracking(ctx: CommandContext, guildId: string, userId: string, deps: PrivacyDeps): Promise<Reply> {
  const voice = ctx.options.string('voice');
  if (voice !== 'on' && voice !== 'off') throw new UserError('Say `on` or `off`: `/privacy tracking voice:off`.');
  const changed = await deps.privacy.setTracking(guildId, userId, voice === 'on');
  if (voice === 'on') {
    return {
      content: changed ? '🔔 Voice tracking is **on** again in this server: I record your voice time from the next time you join a channel.' : 'Voice tracking is already on for you in this server.',
    };
  }
  const s = await deps.privacy.summary(guildId, userId);
  const head = changed
    ? `🔕 Voice tracking is **off** in this server. From now on: ${WHAT_TRACKING_MEANS}. Your clicks on the daily message still count (they are what you say, not tracking).`
    : 'Voice tracking was already off for you in this server.';
  if (s.voiceStays === 0 && s.seenInVoice === 0) return { content: `${head}\nThere is no past voice history of yours to erase.` };
  return {
    content: `${head}\n\nI still hold ${plural(s.voiceStays, 'past voice stay')} (${hours(s.voiceMs)} h) and ${plural(s.seenInVoice, '"seen in voice" mark')}. Erase them too? (They are already left out of charts while tracking is off.)`,
    components: [
      row(
        { label: 'Erase past voice history', style: ButtonStyle.Danger, id: customId('privacy-erase-voice', userId) },
        { label: 'Keep it', style: ButtonStyle.Secondary, id: customId('privacy-keep', userId) },
      ),
    ],
  };
}

type PrivacyDeps = Deps<'privacy' | 'retention'>;

const SUBCOMMANDS = { show, export: exportFile, erase: askErase, tracking } as const;

/**
 * `/privacy show|export|erase|tracking` — a member's rights over what rollcall stores about them in
 * this server. Every reply is ephemeral; erasing asks for a button press first.
 */
export const privacyCommand: CommandHandler<'privacy' | 'retention'> = {
  uses: ['privacy', 'retention'],
  definition: {
    name: 'privacy',
    description: 'What rollcall stores about you: see it, export it, erase it, stop voice tracking',
    ...IN_GUILDS_ONLY,
    options: [
      { type: ApplicationCommandOptionType.Subcommand, name: 'show', description: 'What rollcall stores about you, in plain words' },
      { type: ApplicationCommandOptionType.Subcommand, name: 'export', description: 'Everything rollcall stores about you, as a JSON file' },
      { type: ApplicationCommandOptionType.Subcommand, name: 'erase', description: 'Delete everything rollcall stores about you (asks first)' },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'tracking',
        description: 'Turn voice tracking off or on for you',
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: 'voice',
            description: 'off: record nothing about your voice activity; on: record it again',
            required: true,
            choices: [
              { name: 'off', value: 'off' },
              { name: 'on', value: 'on' },
            ],
          },
        ],
      },
    ],
  },
  ephemeral: true,
  // The export is a file, which only the webhook can carry: "thinking…" at once, not after 2.5 s.
  defer: { subcommands: ['export'] },
  async execute(ctx, deps) {
    const sub = (ctx.options.subcommand ?? 'show') as keyof typeof SUBCOMMANDS;
    const run = SUBCOMMANDS[sub];
    if (!run) throw new UserError(`\`/privacy ${sub}\` is not something I know. Try \`/privacy show\`.`);
    return run(ctx, ctx.guildId!, ctx.actor.userId, deps);
  },
};

/** A privacy button acts only for the member it was shown to (the payload is their id). */
function own(ctx: ComponentContext): void {
  if (ctx.payload !== ctx.actor.userId) throw new UserError('This button belongs to someone else’s `/privacy` reply. Run `/privacy` yourself.');
}

export const privacyErase: ComponentHandler<'privacy'> = {
  key: 'privacy-erase',
  uses: ['privacy'],
  async execute(ctx, deps) {
    own(ctx);
    const erased = await deps.privacy.erase(ctx.guildId!, ctx.actor.userId);
    return { content: describeErased(erased), components: [], update: true };
  },
};

export const privacyEraseVoice: ComponentHandler<'privacy'> = {
  key: 'privacy-erase-voice',
  uses: ['privacy'],
  async execute(ctx, deps) {
    own(ctx);
    const { voiceStays, seenMarks } = await deps.privacy.eraseVoice(ctx.guildId!, ctx.actor.userId);
    return {
      content: `🗑️ Erased ${plural(voiceStays, 'voice stay')} and ${plural(seenMarks, '"seen in voice" mark')}. Voice tracking stays off; the hours you declared yourself are kept (\`/privacy erase\` removes those too).`,
      components: [],
      update: true,
    };
  },
};

export const privacyKeep: ComponentHandler<never> = {
  key: 'privacy-keep',
  uses: [],
  async execute(ctx) {
    own(ctx);
    return { content: 'Nothing was deleted.', components: [], update: true };
  },
};
