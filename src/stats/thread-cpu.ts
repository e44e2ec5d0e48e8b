import { readFileSync } from 'node:fs';

/**
 * CPU time (user + system, ms) the calling thread has used, from /proc/thread-self/stat: unlike
 * wall time it does not grow when other processes crowd the machine, so benchmarks can report both.
 * Linux only (undefined elsewhere); resolution one clock tick (10 ms at the usual 100 Hz).
 */
export function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields after the command name start at field 3 (state); utime is field 14, stime field 15.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
