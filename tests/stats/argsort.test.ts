import { describe, expect, it } from 'vitest';
import { sortIndicesBy } from '../../src/shared/algorithms/argsort.js';

/** The plain comparator sort it replaces: by value, ties by index. */
const reference = (values: readonly number[], order: 'ascending' | 'descending') =>
  [...values.keys()].sort((a, b) => (order === 'ascending' ? values[a]! - values[b]! : values[b]! - values[a]!) || a - b);

describe('sortIndicesBy (packed 64-bit keys, one native sort)', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;

  it.each([
    ['timestamps (ms, 41 bits) with ties', () => Array.from({ length: 5000 }, () => 1_764_000_000_000 + Math.floor(random() * 200) * 900_000)],
    ['small integers, many ties', () => Array.from({ length: 3000 }, () => Math.floor(random() * 5))],
    ['one value', () => [42]],
    ['zeros', () => [0, 0, 0]],
  ])('orders %s exactly as the comparator does, both ways', (_name, make) => {
    const values = make();
    for (const order of ['ascending', 'descending'] as const) {
      expect(Array.from(sortIndicesBy(Int32Array.from(values.keys()), values, order))).toEqual(reference(values, order));
      expect(sortIndicesBy([...values.keys()], values, order)).toEqual(reference(values, order));
    }
  });

  it('sorts a subset of indices into a larger array of values', () => {
    const values = [50, 10, 40, 10, 30];
    expect(sortIndicesBy([4, 3, 1, 0], values)).toEqual([1, 3, 4, 0]);
  });

  it.each([
    ['fractions', [2.5, 1.25, 2.5, -0]],
    ['negative values', [3, -1, 2, -7]],
    ['values beyond 2^53', [2 ** 60, 1, 2 ** 59, 3]],
    ['values too large to pack with the index', [2 ** 52, 1, 2 ** 51, ...Array.from({ length: 5000 }, (_, i) => i)]],
  ])('falls back to the comparator for %s and still gets it right', (_name, values) => {
    for (const order of ['ascending', 'descending'] as const) expect(sortIndicesBy([...values.keys()], values, order)).toEqual(reference(values, order));
  });
});
