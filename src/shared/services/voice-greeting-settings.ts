import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { UserError } from '../errors.js';

/** A guild's greeting settings, defaults filled in. */
export interface GreetingSettings {
  guildId: string;
  enabled: boolean;
  delaySeconds: number;
  /** eSpeak NG voice; null = the bot's default. */
  voice: string | null;
  /** eSpeak NG words per minute; null = the bot's default. */
  speed: number | null;
  /** Greet even when nobody else has signed up ("Nobody else has signed up yet."). */
  sayNobody: boolean;
}

export const GREETING_DELAY = { default: 10, min: 1, max: 600 } as const;
export const GREETING_SPEED = { min: 80, max: 400 } as const;

/** `/config voice-greeting` and `-delay`: a guild's greeting settings, checked before they are stored. */
export class GreetingSettingsStore {
  constructor(private readonly deps: { db: Kysely<Database>; clock: Clock }) {}

  async get(guildId: string): Promise<GreetingSettings> {
    const row = await this.deps.db.selectFrom('voice_greeting_settings').selectAll().where('guild_id', '=', guildId).executeTakeFirst();
    return {
      guildId,
      enabled: row?.enabled === 1,
      delaySeconds: row?.delay_s ?? GREETING_DELAY.default,
      voice: row?.voice ?? null,
      speed: row?.speed ?? null,
      sayNobody: row?.say_nobody === 1,
    };
  }

  /** On or off, with the optional voice, speed and "say nobody" wording; each checked first. */
  async set(guildId: string, change: { enabled: boolean; voice?: string; speed?: number; sayNobody?: boolean }): Promise<GreetingSettings> {
    const row: { enabled: number; voice?: string; speed?: number; say_nobody?: number } = { enabled: change.enabled ? 1 : 0 };
    if (change.voice !== undefined) row.voice = checkVoice(change.voice);
    if (change.speed !== undefined) row.speed = checkSpeed(change.speed);
    if (change.sayNobody !== undefined) row.say_nobody = change.sayNobody ? 1 : 0;
    return this.write(guildId, row);
  }

  /** `/config voice-greeting-delay <seconds>`. */
  async setDelay(guildId: string, seconds: number): Promise<GreetingSettings> {
    if (!Number.isInteger(seconds) || seconds < GREETING_DELAY.min || seconds > GREETING_DELAY.max) {
      throw new UserError(`The delay must be a whole number of seconds from ${GREETING_DELAY.min} to ${GREETING_DELAY.max} (got ${seconds}).`);
    }
    return this.write(guildId, { delay_s: seconds });
  }

  private async write(guildId: string, change: Partial<{ enabled: number; delay_s: number; voice: string; speed: number; say_nobody: number }>): Promise<GreetingSettings> {
    const now = this.deps.clock.now();
    await this.deps.db
      .insertInto('voice_greeting_settings')
      .values({ guild_id: guildId, updated_at: now, ...change })
      .onConflict((oc) => oc.column('guild_id').doUpdateSet({ ...change, updated_at: now }))
      .execute();
    return this.get(guildId);
  }
}

/** An espeak-ng voice name such as `en-us`, `en-gb`, `fr`, `en-us+f3`: letters, digits, `-` and one `+variant`. */
function checkVoice(voice: string): string {
  const v = voice.trim().toLowerCase();
  if (!/^[a-z]{2,3}(-[a-z0-9]{1,12}){0,3}(\+[a-z0-9]{1,12})?$/.test(v)) {
    throw new UserError(`\`${voice}\` is not an espeak-ng voice name. Try en-us, en-gb, fr, de or en-us+f3.`);
  }
  return v;
}

function checkSpeed(speed: number): number {
  if (!Number.isInteger(speed) || speed < GREETING_SPEED.min || speed > GREETING_SPEED.max) {
    throw new UserError(`The speed must be ${GREETING_SPEED.min}–${GREETING_SPEED.max} words per minute (got ${speed}).`);
  }
  return speed;
}
