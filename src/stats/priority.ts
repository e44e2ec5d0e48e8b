import { readdirSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Charts can wait; interactions cannot. On Linux a nice value is per thread, so the calling worker
 * thread (found through /proc/thread-self) gives way to the one answering Discord when they share a
 * busy core. Best effort: elsewhere, or without /proc, it keeps the normal priority.
 */
export function yieldToInteractions(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0 && tid !== process.pid) setPriority(tid, 10);
  } catch {
    // Not Linux, or not allowed: nothing to do.
  }
}

/**
 * The same for a whole process (the render worker as a child process): every thread it has now,
 * and the threads it starts later inherit the nice value of the thread that starts them.
 */
export function yieldProcessToInteractions(): void {
  try {
    for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), 10);
  } catch {
    // Not Linux, or not allowed: nothing to do.
  }
}
