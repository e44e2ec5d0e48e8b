import { describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';

describe('migration names', () => {
  it('sort the same by code unit (the order migrate.ts applies them in) as by locale (kysely’s default)', () => {
    const names = Object.keys(migrations);
    expect(names.length).toBeGreaterThan(10);
    expect([...names].sort()).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    // Dated, so the applied order is the order they were written in.
    for (const name of names) expect(name).toMatch(/^\d{4}-\d{2}-\d{2}-\d{3}-[a-z0-9-]+$/);
  });
});
