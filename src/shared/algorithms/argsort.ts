/**
 * Orders `indices` by `values[index]` (non-negative integers, such as ms), ties by index, with
 * one native typed-array sort of 64-bit keys (value above, index below) instead of a comparator
 * called n log n times: at 30k–200k items that is several times faster. Falls back to the
 * comparator when a value is not a non-negative safe integer, value and index do not fit in 64 bits,
 * or the machine is big-endian (the two words are written in little-endian order).
 * Sorts in place and returns `indices`.
 */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function sortIndicesBy<A extends Int32Array | number[]>(indices: A, values: ArrayLike<number>, order: 'ascending' | 'descending' = 'ascending'): A {
  const n = indices.length;
  if (n < 2) return indices;
  let max = 0;
  let integral = true;
  for (let i = 0; i < n; i++) {
    const v = values[indices[i]!]!;
    if (!(v >= 0 && Number.isInteger(v))) integral = false;
    else if (v > max) max = v;
  }
  let maxIndex = 0;
  for (let i = 0; i < n; i++) if (indices[i]! > maxIndex) maxIndex = indices[i]!;
  const indexBits = Math.max(1, Math.ceil(Math.log2(maxIndex + 1)));
  const valueBits = Math.ceil(Math.log2(max + 1));
  if (!LITTLE_ENDIAN || !integral || max > Number.MAX_SAFE_INTEGER || indexBits > 31 || indexBits + valueBits > 64) {
    const sign = order === 'ascending' ? 1 : -1;
    return (indices as number[]).sort((a, b) => sign * (values[a]! - values[b]!) || a - b) as A;
  }
  const keys = new BigUint64Array(n);
  const words = new Uint32Array(keys.buffer);
  // key = value · 2^indexBits + index, written as two 32-bit words (little-endian: low word first).
  const lowValueBits = 32 - indexBits;
  const lowScale = 2 ** lowValueBits;
  for (let i = 0; i < n; i++) {
    const index = indices[i]!;
    const v = values[index]!;
    // Descending with ties by index: invert the value, keep the index, sort ascending.
    const value = order === 'ascending' ? v : max - v;
    words[2 * i] = (((value % lowScale) << indexBits) | index) >>> 0;
    words[2 * i + 1] = Math.floor(value / lowScale);
  }
  keys.sort();
  const mask = indexBits === 31 ? 0x7fffffff : (1 << indexBits) - 1;
  for (let i = 0; i < n; i++) indices[i] = words[2 * i]! & mask;
  return indices;
}
