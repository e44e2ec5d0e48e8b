/**
 * Work that must not run twice at once in this process for the same key (a claimed alert or reminder
 * being sent while a tick finds it still `planned`): a second call while the first runs is skipped,
 * not queued — the first one does the job. Across processes, the rows' states and nonces decide.
 */
export class InFlight {
  private readonly running = new Set<string>();

  async run(key: string, work: () => Promise<void>): Promise<void> {
    if (this.running.has(key)) return;
    this.running.add(key);
    try {
      await work();
    } finally {
      this.running.delete(key);
    }
  }
}
