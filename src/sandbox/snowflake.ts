/**
 * Discord snowflakes: 64-bit ids whose top 42 bits are milliseconds since the Discord epoch.
 * @see https://discord.com/developers/docs/reference#snowflakes
 */

/** 2015-01-01T00:00:00.000Z, the first second of 2015. */
export const DISCORD_EPOCH = 1_420_070_400_000n;

/** Builds a snowflake from its parts (worker 1, process 0 unless told otherwise). */
export function snowflakeAt(timestampMs: number, increment = 0, worker = 1, processId = 0): string {
  const ms = BigInt(Math.floor(timestampMs)) - DISCORD_EPOCH;
  return ((ms << 22n) | (BigInt(worker & 31) << 17n) | (BigInt(processId & 31) << 12n) | BigInt(increment & 4095)).toString();
}

/** The creation time (ms since the Unix epoch) encoded in a snowflake. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + DISCORD_EPOCH);
}

/** Compares two snowflakes numerically (usable as a sort comparator). */
export function compareSnowflakes(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether a string looks like a snowflake (digits only, fits in 64 bits). */
export function isSnowflake(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,20}$/.test(value) && BigInt(value) < 1n << 64n;
}

/** Hands out strictly increasing snowflakes for "now", like one Discord worker would. */
export class SnowflakeGenerator {
  #lastMs = 0;
  #increment = 0;

  constructor(private readonly now: () => number = Date.now) {}

  next(): string {
    let ms = this.now();
    if (ms <= this.#lastMs) {
      ms = this.#lastMs;
      this.#increment += 1;
      if (this.#increment > 4095) {
        ms += 1;
        this.#increment = 0;
      }
    } else {
      this.#increment = 0;
    }
    this.#lastMs = ms;
    return snowflakeAt(ms, this.#increment);
  }
}
