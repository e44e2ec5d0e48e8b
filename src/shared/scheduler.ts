import { reportStorageFailure } from './errors.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

/**
 * Something that must happen at a time (the daily post, an hour boundary, a nightly purge). A job
 * decides for itself whether `now` is its moment, so a tick can run late or twice without harm.
 */
export interface Job {
  name: string;
  run(now: number): Promise<void>;
}

/**
 * Runs every job on each tick. Production ticks on a timer; tests and the sandbox move the
 * injected clock and call {@link Scheduler.tick} so an evening passes in milliseconds.
 */
export class Scheduler {
  private readonly jobs: Job[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: { clock: Clock; log: Logger }) {}

  add(job: Job): void {
    this.jobs.push(job);
  }

  /** Runs each job once, in order; one failing job is logged and does not stop the others. */
  tick(): Promise<void> {
    // Never two ticks at once: a slow tick makes the next one wait instead of overlapping.
    const previous = this.running ?? Promise.resolve();
    const next = previous.then(() => this.runAll());
    this.running = next;
    return next;
  }

  start(intervalMs = 20_000): void {
    this.stop();
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async runAll(): Promise<void> {
    const now = this.deps.clock.now();
    for (const job of this.jobs) {
      try {
        await job.run(now);
      } catch (error) {
        if (!reportStorageFailure(this.deps.log, error, `job ${job.name}`)) this.deps.log.error({ err: error, job: job.name }, 'scheduled job failed');
      }
    }
  }
}
