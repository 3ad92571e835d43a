/**
 * The ascending order of a Float64Array, by LSD radix sort: the doubles' bits are mapped to
 * unsigned 64-bit keys that sort like the numbers (flip the sign bit of non-negative values, every
 * bit of negative ones) and sorted by four 16-bit digits, carrying row indexes along. O(n), stable,
 * with sequential reads: about ten times faster than a binary search per row into sorted keys,
 * whose 20 cache misses per row dominated the exact fold (measured ~1 s per million rows).
 *
 * `NaN` must not occur; `-0` sorts before `0` (normalize it first when they should tie).
 *
 * @module
 */

const LITTLE = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const LO = LITTLE ? 0 : 1, HI = LITTLE ? 1 : 0;
const RADIX = 1 << 16;

/** Row indexes of `values` in ascending order of value (ties in row order). */
export function sortOrder(values: Float64Array): Uint32Array {
  const n = values.length;
  const words = new Uint32Array(values.slice().buffer);
  let hi = new Uint32Array(n), lo = new Uint32Array(n), order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + HI]!, l = words[2 * i + LO]!;
    const negative = h >>> 31 === 1;
    hi[i] = negative ? ~h >>> 0 : (h | 0x80000000) >>> 0;
    lo[i] = negative ? ~l >>> 0 : l;
    order[i] = i;
  }
  let hi2 = new Uint32Array(n), lo2 = new Uint32Array(n), order2 = new Uint32Array(n);
  const count = new Uint32Array(RADIX);
  for (let pass = 0; pass < 4; pass++) {
    const src = pass < 2 ? lo : hi;
    const shift = pass % 2 === 0 ? 0 : 16;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i]! >>> shift) & 0xffff]!++;
    if (count.includes(n)) continue; // one digit value everywhere: the pass would change nothing
    let sum = 0;
    for (let b = 0; b < RADIX; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const at = count[(src[i]! >>> shift) & 0xffff]!++;
      hi2[at] = hi[i]!;
      lo2[at] = lo[i]!;
      order2[at] = order[i]!;
    }
    [hi, hi2] = [hi2, hi];
    [lo, lo2] = [lo2, lo];
    [order, order2] = [order2, order];
  }
  return order;
}
