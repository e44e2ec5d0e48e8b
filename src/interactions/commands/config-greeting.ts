import { ApplicationCommandOptionType } from 'discord-api-types/v10';
import { UserError } from '../../shared/errors.js';
import { GREETING_DELAY, GREETING_SPEED, type GreetingSettings } from '../../shared/services/voice-greeting-settings.js';
import { DEFAULT_VOICE, probeSpeech, speechInstalled, type SpeechSupport } from '../../voice/speech.js';
import type { CommandContext, Reply } from '../handler.js';
import type { ConfigDeps } from './config-deps.js';
import { ON_OFF_OPTION, onOff } from '../on-off.js';

/** The greeting line of `/config show`; says when this machine cannot speak. */
export function describeGreeting(s: GreetingSettings, support: SpeechSupport): string {
  const state = s.enabled
    ? `on — after ${s.delaySeconds} s alone in voice, voice ${s.voice ?? DEFAULT_VOICE.voice} at ${s.speed ?? DEFAULT_VOICE.speed} wpm${s.sayNobody ? ', also when nobody else signed up' : ''}`
    : 'off — turn it on with `/config voice-greeting on`';
  const unavailable = support.available ? '' : `\n  ⚠️ unavailable on this bot: ${support.reason}`;
  return `Voice greeting: ${state}${unavailable}`;
}

/**
 * How long `/config` waits for the first spoken probe of this process before answering with the
 * installed check alone: the probe (a worker speaking a word, once per process) can take seconds on a
 * busy Pi, and the reply must beat Discord's 3 s window; the probe finishes in the background and the
 * next `/config` shows its verdict.
 */
const PROBE_WAIT_MS = 1_000;

/**
 * The greeting line of `/config show` for a guild, with this machine's speech support: proven by
 * speaking a word once the guild has the greeting on, only checked as installed while it is off
 * (the probe's memory is not worth it to a guild that never greets; see `speechInstalled`).
 */
export async function greetingLine(deps: Pick<ConfigDeps, 'greetingSettings'>, guildId: string): Promise<string> {
  const settings = await deps.greetingSettings.get(guildId);
  return describeGreeting(settings, settings.enabled ? await speechSupportWithin(PROBE_WAIT_MS) : speechInstalled());
}

async function speechSupportWithin(ms: number): Promise<SpeechSupport> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return (await Promise.race([probeSpeech(), late])) ?? speechInstalled();
  } finally {
    clearTimeout(timer);
  }
}

/** `/config voice-greeting on|off [voice] [speed] [say-nobody]` and `/config voice-greeting-delay <seconds>`. */
export const greetingSubcommands: Record<string, (ctx: CommandContext, guildId: string, deps: ConfigDeps) => Promise<Reply>> = {
  'voice-greeting': async (ctx, guildId, deps) => {
    const on = onOff(ctx.options);
    const extra: { voice?: string; speed?: number; sayNobody?: boolean } = {};
    const voice = ctx.options.string('voice');
    const speed = ctx.options.integer('speed');
    const sayNobody = ctx.options.boolean('say-nobody');
    if (voice !== undefined) extra.voice = voice;
    if (speed !== undefined) extra.speed = speed;
    if (sayNobody !== undefined) extra.sayNobody = sayNobody;
    await deps.greeting.setEnabled(guildId, on, extra);
    const what = on ? 'When a member is first in a voice channel and still alone after the delay, I join, say who else is coming when, and leave.' : 'I will not greet anyone in voice.';
    return { content: `✅ ${what}\n\n${await greetingLine(deps, guildId)}` };
  },

  'voice-greeting-delay': async (ctx, guildId, deps) => {
    const seconds = ctx.options.integer('seconds');
    if (seconds === undefined) throw new UserError('The `seconds` option is required.');
    const settings = await deps.greetingSettings.setDelay(guildId, seconds);
    return { content: `✅ A member must be alone in voice for ${settings.delaySeconds} s before I greet them.\n\n${await greetingLine(deps, guildId)}` };
  },
};

/** Their entries in the `/config` definition. */
export const greetingOptions = [
  {
    type: ApplicationCommandOptionType.Subcommand as const,
    name: 'voice-greeting',
    description: 'Greet the first member alone in voice out loud with who else is coming (off by default)',
    options: [
      ON_OFF_OPTION,
      { type: ApplicationCommandOptionType.String as const, name: 'voice', description: 'espeak-ng voice, e.g. en-us, en-gb, fr, en-us+f3', max_length: 40 },
      {
        type: ApplicationCommandOptionType.Integer as const,
        name: 'speed',
        description: `Words per minute (${GREETING_SPEED.min}–${GREETING_SPEED.max})`,
        min_value: GREETING_SPEED.min,
        max_value: GREETING_SPEED.max,
      },
      { type: ApplicationCommandOptionType.Boolean as const, name: 'say-nobody', description: 'Also greet when nobody else has signed up yet' },
    ],
  },
  {
    type: ApplicationCommandOptionType.Subcommand as const,
    name: 'voice-greeting-delay',
    description: 'Seconds a member must be alone in voice before the greeting',
    options: [
      {
        type: ApplicationCommandOptionType.Integer as const,
        name: 'seconds',
        description: `${GREETING_DELAY.min}–${GREETING_DELAY.max}, default ${GREETING_DELAY.default}`,
        required: true,
        min_value: GREETING_DELAY.min,
        max_value: GREETING_DELAY.max,
      },
    ],
  },
];
