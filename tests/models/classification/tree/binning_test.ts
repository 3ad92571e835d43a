import assert from "node:assert/strict";
import { QuantileSketch } from "../../../../cluster/kernels/sketch_quantile.ts";
import {
  binCount,
  binRows,
  binValue,
  categoricalBinningFromCounts,
  categoricalBinningFromValues,
  decodeBinning,
  encodeBinning,
  MISSING_BIN,
  numericBinningFromSketch,
  numericBinningFromValues,
  thresholdValue,
} from "../../../../models/classification/tree/binning.ts";
import { uniforms } from "./tree_test_util.ts";

Deno.test("numeric binning gives one bin per distinct value when they fit, bounds between them", () => {
  const b = numericBinningFromValues([3, 1, 2, 2, NaN, 1], 255);
  assert.deepEqual(b.upperBounds, [1.5, 2.5]);
  assert.equal(binCount(b), 4);
  assert.deepEqual([NaN, 0, 1, 1.5, 1.7, 2, 3, 99].map((x) => binValue(b, x)), [0, 1, 1, 1, 2, 2, 3, 3]);
});

Deno.test("numeric binning caps value bins, gives a heavy value its own bin and ignores input order", () => {
  const u = uniforms(1);
  const values = Array.from({ length: 20_000 }, (_, i) => (i % 2 === 0 ? 0 : Math.round(u() * 1e6) / 7));
  const b = numericBinningFromValues(values, 32);
  assert.ok(binCount(b) - 1 <= 32, `${binCount(b) - 1} value bins`);
  assert.ok(binCount(b) - 1 >= 30, `only ${binCount(b) - 1} value bins`);
  const zeroBin = binValue(b, 0);
  assert.ok(values.every((x) => x === 0 || binValue(b, x) !== zeroBin), "zero shares its bin");
  const shuffled = [...values].sort(() => u() - 0.5);
  assert.deepEqual(numericBinningFromValues(shuffled, 32), b);
  // non-zero bins hold roughly equal counts
  const counts = new Map<number, number>();
  for (const x of values) if (x !== 0) counts.set(binValue(b, x), (counts.get(binValue(b, x)) ?? 0) + 1);
  const sizes = [...counts.values()];
  assert.ok(Math.max(...sizes) < 3 * Math.min(...sizes), `bin sizes ${sizes}`);
});

Deno.test("a numeric bin split 'bin <= t' is the raw split 'x <= threshold' for every t, infinities included", () => {
  const u = uniforms(2);
  const values = Array.from({ length: 3000 }, () => Math.round((u() - 0.5) * 400) / 4);
  values.push(Infinity, -Infinity, 5e-324, -0, 0);
  const b = numericBinningFromValues(values, 40);
  const probes = [...values, NaN, 1e300, -1e300, 0.3, 12.6];
  for (let t = 1; t < binCount(b); t++) {
    const threshold = thresholdValue(b, t);
    for (const x of probes) {
      if (x !== x) assert.equal(binValue(b, x), MISSING_BIN);
      else assert.equal(binValue(b, x) <= t, x <= threshold, `x=${x} t=${t} threshold=${threshold}`);
    }
  }
});

Deno.test("sketch binning is within the budget, ascending, and the same for any merge order", () => {
  const u = uniforms(3);
  const values = Array.from({ length: 5000 }, () => Math.exp(4 * u()));
  const whole = new QuantileSketch(0.01);
  values.forEach((x) => whole.add(x));
  const parts = [new QuantileSketch(0.01), new QuantileSketch(0.01), new QuantileSketch(0.01)];
  values.forEach((x, i) => parts[i % 3]!.add(x));
  parts[2]!.merge(parts[0]!);
  parts[2]!.merge(parts[1]!);
  const a = numericBinningFromSketch(whole, 64), b = numericBinningFromSketch(parts[2]!, 64);
  assert.deepEqual(a, b);
  assert.ok(a.upperBounds.length <= 63 && a.upperBounds.length >= 50, `${a.upperBounds.length} bounds`);
  assert.ok(a.upperBounds.every((x, i) => i === 0 || x > a.upperBounds[i - 1]!));
});

Deno.test("categorical binning keeps the most frequent codes; the rest share the missing bin", () => {
  const b = categoricalBinningFromCounts(new Map([[7, 10], [3, 10], [9, 4], [1, 5]]), { maxBins: 3 });
  assert.deepEqual(b.categories, [1, 3, 7]);
  assert.deepEqual([1, 3, 7, 9, 42, NaN].map((x) => binValue(b, x)), [1, 2, 3, 0, 0, 0]);
  assert.deepEqual(categoricalBinningFromValues([2, 2, NaN, 0]).categories, [0, 2]);
});

Deno.test("categorical binning drops the rarest category only when the rest cover 99 % and none is missing", () => {
  // 12 months of a year as in bank-full: the rarest holds 0.47 % of the rows.
  const months = [13766, 6895, 6247, 5341, 3970, 2932, 2649, 1403, 738, 579, 477, 214];
  const counts = new Map(months.map((n, code) => [code, n]));
  assert.deepEqual(categoricalBinningFromCounts(counts).categories, months.slice(0, 11).map((_, c) => c));
  // With a missing row the missing bin is the twelfth "category": every month keeps its bin.
  assert.equal(categoricalBinningFromCounts(counts, { missing: 1 }).categories.length, 12);
  // A rarest category over 1 % of the rows keeps its bin.
  assert.equal(categoricalBinningFromCounts(new Map([[0, 980], [1, 15], [5, 15]])).categories.length, 3);
  // The same through the values: NaN counts as missing.
  const values = [...Array(200).fill(0), ...Array(50).fill(1), 2, 2, 2];
  assert.deepEqual(categoricalBinningFromValues(values).categories, [0, 1]);
  assert.deepEqual(categoricalBinningFromValues([...values, NaN]).categories, [0, 1, 2]);
  // Fewer than 3 rows: the first two categories always get bins, later ones stop the scan.
  assert.deepEqual(categoricalBinningFromCounts(new Map([[4, 2], [8, 1]]), { missing: 9 }).categories, [
    4,
    8,
  ]);
  const tail = new Map([[0, 500], [1, 400], [2, 2], [3, 300], [4, 1]]);
  assert.deepEqual(categoricalBinningFromCounts(tail, { missing: 5 }).categories, [0, 1, 3]);
  assert.throws(() => categoricalBinningFromCounts(counts, { missing: -1 }), /missing must be/);
  assert.throws(() => categoricalBinningFromCounts(new Map([[0, NaN]])), /bad count/);
});

/**
 * LightGBM's loop (`BinMapper::FindBin`, categorical branch) over raw values, for comparison, with
 * Frontier's one change: at most `maxBins` value bins (a byte per bin id).
 */
function lightgbmCategories(values: readonly number[], maxBins: number): number[] {
  const counts = new Map<number, number>();
  let na = 0;
  for (const x of values) {
    if (Number.isNaN(x)) na++;
    else counts.set(x, (counts.get(x) ?? 0) + 1);
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  const cut = Math.round((values.length - na) * 0.99);
  const limit = Math.min(sorted.length + (na > 0 ? 1 : 0), maxBins + 1); // + the dummy NaN bin
  const out: number[] = [];
  let used = 0, bins = 1; // the NaN bin comes first
  for (const [code, n] of sorted) {
    if (!(used < cut || bins < limit) || out.length >= maxBins) break;
    if (n < 3 && out.length > 1) break;
    out.push(code);
    used += n;
    bins++;
  }
  return out.sort((a, b) => a - b);
}

Deno.test("categorical binning equals LightGBM's loop on random columns with rare and missing codes", () => {
  const u = uniforms(11);
  let dropped = 0, short = 0;
  for (let trial = 0; trial < 300; trial++) {
    const k = 2 + Math.floor(u() * 30);
    const weights = Array.from({ length: k }, () => Math.pow(u(), 6));
    const total = weights.reduce((a, b) => a + b, 0);
    const n = 50 + Math.floor(u() * 3000);
    const missingRate = u() < 0.5 ? 0 : 0.01;
    const values = Array.from({ length: n }, () => {
      if (u() < missingRate) return NaN;
      let r = u() * total, c = 0;
      while (c < k - 1 && r >= weights[c]!) r -= weights[c++]!;
      return c * 3;
    });
    const maxBins = u() < 0.2 ? 2 + Math.floor(u() * 8) : 255;
    const expected = lightgbmCategories(values, maxBins);
    const got = categoricalBinningFromValues(values, maxBins).categories;
    assert.deepEqual(got, expected, `trial ${trial}`);
    const distinct = new Set(values.filter((x) => x === x)).size;
    if (got.length < Math.min(distinct, maxBins)) dropped++;
    if (got.length === Math.min(distinct, maxBins) - 1) short++;
  }
  assert.ok(dropped > 20 && short > 10, `the rules decided ${dropped} columns (${short} by one category)`);
});

Deno.test("binRows writes a row-major matrix and rejects short columns", () => {
  const bs = [numericBinningFromValues([1, 2, 3]), categoricalBinningFromValues([5, 6])];
  assert.deepEqual([...binRows(bs, [[1, 3, NaN], [6, 5, 7]], 3)], [1, 2, 3, 1, 0, 0]);
  assert.throws(() => binRows(bs, [[1], [6]], 3), RangeError);
  assert.throws(() => numericBinningFromValues([1], 256), /maxBins/);
});

Deno.test("binnings survive JSON with infinite bounds and malformed ones are refused", () => {
  const b = numericBinningFromValues([-Infinity, 1, 2]);
  assert.equal(b.upperBounds[0], -Infinity);
  assert.deepEqual(decodeBinning(JSON.parse(JSON.stringify(encodeBinning(b)))), b);
  assert.throws(() => decodeBinning({ kind: "numeric", upperBounds: [2, 1] }), TypeError);
  assert.throws(() => decodeBinning({ kind: "other", upperBounds: [] }), TypeError);
});

Deno.test("binRows bins every numeric value as binValue does, for any number of bounds", () => {
  const u = uniforms(5);
  for (const n of [0, 1, 2, 3, 7, 127, 128, 200, 254]) {
    const upperBounds = Array.from({ length: n }, () => Math.round((u() * 20 - 10) * 8) / 8)
      .sort((a, b) => a - b)
      .filter((x, i, all) => i === 0 || x !== all[i - 1]);
    if (n > 0) upperBounds[0] = n % 2 === 0 ? -Infinity : upperBounds[0]!;
    const binning = { kind: "numeric" as const, upperBounds };
    // random values, every bound exactly, the zeros, the infinities and missing values
    const values = [
      ...Array.from({ length: 500 }, () => u() * 24 - 12),
      ...upperBounds,
      0,
      -0,
      Infinity,
      -Infinity,
      NaN,
    ];
    const got = binRows([binning], [values], values.length);
    assert.deepEqual([...got], values.map((x) => binValue(binning, x)), `${upperBounds.length} bounds`);
  }
});
