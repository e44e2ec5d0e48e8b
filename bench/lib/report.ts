/** A row of a human table: column name → cell. */
export type Row = Record<string, string | number | boolean | null>;

/** Prints rows as an aligned plain-text table (numbers right-aligned). */
export function printTable(rows: readonly Row[], title?: string): void {
  if (title) console.log(`\n${title}`);
  if (rows.length === 0) return;
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: Row[string] | undefined) => (v === null || v === undefined ? '—' : typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (cells: string[], numeric: boolean[]) =>
    cells
      .map((s, i) => (numeric[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  console.log(
    line(
      columns,
      columns.map(() => false),
    ),
  );
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows)
    console.log(
      line(
        columns.map((c) => cell(r[c])),
        columns.map((c) => typeof r[c] === 'number'),
      ),
    );
}

/** Progress for humans goes to stderr so stdout stays the table and the final JSON line. */
export function progress(message: string): void {
  process.stderr.write(`· ${message}\n`);
}

/** The machine-readable result: one JSON object, always the last line of a benchmark's stdout. */
export function printResult(result: { bench: string } & Record<string, unknown>): void {
  console.log(JSON.stringify(result));
}
