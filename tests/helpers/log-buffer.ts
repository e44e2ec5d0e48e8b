import { Writable } from 'node:stream';

/**
 * The bot's warnings and errors in tests, kept in memory instead of printed: the suite stays quiet,
 * and a failing test gets them appended to its error (tests/helpers/failure-logs.ts), so a failure
 * seen only in CI's report still says what the bot complained about.
 */
const lines: string[] = [];
const KEEP = 60;

export const logBuffer = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(readable(line));
    if (lines.length > KEEP) lines.splice(0, lines.length - KEEP);
    done();
  },
});

/** `WARN 12:00:01.123 msg {fields}` from one of pino's JSON lines (kept as is when it is not one). */
function readable(line: string): string {
  let text = line;
  try {
    const { level, time, msg, app: _app, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const name = level === 40 ? 'WARN' : level === 50 ? 'ERROR' : level === 60 ? 'FATAL' : String(level);
    const fields = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    text = `${name} ${new Date(Number(time)).toISOString().slice(11, 23)} ${String(msg)}${fields}`;
  } catch {
    // not JSON: as it came
  }
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

/** The lines kept since the last call, oldest first; empties the buffer. */
export function takeLogLines(): string[] {
  return lines.splice(0);
}
