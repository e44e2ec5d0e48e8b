import { describe, expect, it } from 'vitest';
import { ManualTimer, sleep } from '../../src/shared/clock.js';
import { BUCKETS, SqliteRateBudget } from '../../src/shared/discord/limiter.js';
import { openDatabase } from '../../src/shared/db/database.js';
import { migrateToLatest } from '../../src/shared/db/migrate.js';
import { tempDir } from '../helpers/app.js';

describe('a timer the test moves', () => {
  it('calls what comes due in time order, and nothing before', async () => {
    const timer = new ManualTimer(1_000);
    const order: string[] = [];
    timer.after(300, () => order.push('b'));
    timer.after(100, () => order.push('a'));
    const cancel = timer.after(200, () => order.push('cancelled'));
    cancel();
    timer.advance(99);
    expect(order).toEqual([]);
    timer.advance(250);
    expect(order).toEqual(['a', 'b']);
    expect(timer.now()).toBe(1_349);
    expect(timer.pending).toBe(0);
    let woke = 0;
    timer.after(50, () => (woke = timer.now()));
    const slept = sleep(timer, 50);
    timer.advance(60);
    await slept;
    expect(woke).toBe(1_399); // called at its due time, even within a longer step
    expect(timer.now()).toBe(1_409);
  });

  it('the shared rate budget spends exactly one edit token per period of the timer, whatever the wall clock does', async () => {
    const tmp = tempDir();
    const database = openDatabase(`${tmp.dir}/budget.sqlite`);
    try {
      await migrateToLatest(database.db);
      const timer = new ManualTimer(0);
      const budget = new SqliteRateBudget(database.sqlite, timer);
      let taken = 0;
      const takes = [0, 1, 2].map(() => budget.take('edit', 'channel').then(() => (taken += 1)));
      await new Promise((r) => setTimeout(r, 20));
      expect(taken).toBe(1);
      timer.advance(BUCKETS.edit.periodMs - 1);
      await new Promise((r) => setTimeout(r, 20));
      expect(taken).toBe(1);
      timer.advance(1);
      await new Promise((r) => setTimeout(r, 20));
      expect(taken).toBe(2);
      timer.advance(BUCKETS.edit.periodMs);
      await Promise.all(takes);
      expect(taken).toBe(3);
    } finally {
      await database.close();
      tmp.cleanup();
    }
  });
});
