/** A progress reporter for long copies: a bar on a terminal, a few plain lines otherwise. */
export interface Progress {
  update(done: number, total: number): void;
  done(summary: string): void;
}

const WIDTH = 30;

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** `unit: 'bytes'` prints sizes; `'pages'` prints SQLite page counts. Quiet prints nothing. */
export function progressBar(label: string, options: { unit: 'bytes' | 'pages'; quiet?: boolean; stream?: NodeJS.WriteStream } = { unit: 'bytes' }): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = stream.isTTY === true;
  const fmt = (n: number) => (options.unit === 'bytes' ? human(n) : `${n} pages`);
  let lastDrawn = 0;
  let lastQuarter = -1;
  return {
    update(done, total) {
      if (options.quiet) return;
      const fraction = total > 0 ? Math.min(1, done / total) : 1;
      const percent = Math.floor(fraction * 100);
      if (tty) {
        const now = Date.now();
        if (now - lastDrawn < 80 && fraction < 1) return;
        lastDrawn = now;
        const filled = Math.round(fraction * WIDTH);
        stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(percent).padStart(3)}% ${fmt(done)} / ${fmt(total)}`);
      } else {
        const quarter = Math.floor(percent / 25);
        if (quarter === lastQuarter) return;
        lastQuarter = quarter;
        stream.write(`${label}: ${percent}% (${fmt(done)} / ${fmt(total)})\n`);
      }
    },
    done(summary) {
      if (options.quiet) return;
      stream.write(tty ? `\r\x1b[2K${label}: ${summary}\n` : `${label}: ${summary}\n`);
    },
  };
}
