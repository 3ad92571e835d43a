import assert from "node:assert/strict";
import {
  addHistogram,
  buildHistogram,
  createHistogram,
  type Histogram,
  histogramLayout,
  histogramTotals,
  quantizationScale,
  quantize,
  roundHalfUp,
  subtractHistogram,
} from "../../../../models/classification/tree/histogram.ts";
import { below, uniforms } from "./tree_test_util.ts";

function randomInput(rows: number, seed: number) {
  const u = uniforms(seed);
  const binCounts = [2, 17, 256, 5];
  const layout = histogramLayout(binCounts);
  const bins = new Uint8Array(rows * binCounts.length);
  for (let r = 0; r < rows; r++) binCounts.forEach((n, f) => bins[r * binCounts.length + f] = below(u, n));
  const scale = quantizationScale(rows, 1);
  const a = Float64Array.from({ length: rows }, () => quantize(2 * u() - 1, scale));
  const b = Float64Array.from({ length: rows }, () => quantize(u() / 4, scale));
  const multiplicity = Uint8Array.from({ length: rows }, () => 1 + below(u, 3));
  return { layout, matrix: { bins, numFeatures: binCounts.length }, channels: { a, b }, multiplicity };
}

function rowsWhere(n: number, keep: (r: number) => boolean): Int32Array {
  return Int32Array.from({ length: n }, (_, r) => r).filter(keep);
}

function build(input: ReturnType<typeof randomInput>, rows: Int32Array, weighted = false): Histogram {
  const h = createHistogram(input.layout);
  const channels = weighted ? { ...input.channels, multiplicity: input.multiplicity } : input.channels;
  buildHistogram(h, { layout: input.layout, matrix: input.matrix, channels }, {
    rows,
    begin: 0,
    end: rows.length,
  });
  return h;
}

Deno.test("histogram of a child by subtraction equals the histogram built directly", () => {
  const n = 5000;
  const input = randomInput(n, 11);
  const parentRows = rowsWhere(n, (r) => r % 7 !== 3);
  const childRows = parentRows.filter((r) => input.matrix.bins[r * 4 + 2]! < 100);
  const siblingRows = parentRows.filter((r) => input.matrix.bins[r * 4 + 2]! >= 100);
  for (const weighted of [false, true]) {
    const parent = build(input, parentRows, weighted);
    subtractHistogram(parent, build(input, childRows, weighted));
    const direct = build(input, siblingRows, weighted);
    assert.deepEqual(parent.sums, direct.sums);
    assert.deepEqual(parent.counts, direct.counts);
    assert.ok(direct.counts.some((c) => c > 0));
  }
});

Deno.test("merging shard histograms in any grouping gives the same bytes as one pass", () => {
  const n = 6000;
  const input = randomInput(n, 12);
  const all = build(input, rowsWhere(n, () => true));
  const shards = [0, 1, 2].map((s) => build(input, rowsWhere(n, (r) => r % 3 === s)));
  const left = createHistogram(input.layout);
  for (const s of [shards[2]!, shards[0]!, shards[1]!]) addHistogram(left, s);
  const right = build(input, rowsWhere(n, (r) => r < 2500));
  addHistogram(right, build(input, rowsWhere(n, (r) => r >= 2500)));
  for (const h of [left, right]) {
    assert.deepEqual(new Uint8Array(h.sums.buffer), new Uint8Array(all.sums.buffer));
    assert.deepEqual(h.counts, all.counts);
  }
  const totals = histogramTotals(all, input.layout);
  assert.equal(totals.count, n);
  assert.equal(totals.a, input.channels.a.reduce((s, x) => s + x, 0));
});

Deno.test("quantizationScale keeps every partial sum below 2^53", () => {
  for (const [rows, maxAbs] of [[1, 1], [1_000_000, 1], [10_000_000, 167], [3, 1e-9], [50, 1e12]] as const) {
    const s = quantizationScale(rows, maxAbs);
    assert.ok(Number.isInteger(Math.log2(s)), `scale ${s} is a power of two`);
    assert.ok(rows * (maxAbs * s + 1) <= 2 ** 52);
    assert.ok(
      s === 2 ** 40 || rows * (maxAbs * 2 * s + 1) > 2 ** 52,
      `scale ${s} for ${rows}×${maxAbs} is not the largest`,
    );
  }
  assert.throws(() => quantizationScale(-1, 1), RangeError);
  assert.throws(() => quantizationScale(10, Infinity), RangeError);
  assert.throws(() => histogramLayout([0]), RangeError);
});

/** The histogram of `rows[begin, end)` written out cell by cell (independent of buildHistogram's loops). */
function naiveHistogram(
  binCounts: readonly number[],
  input: { bins: Uint8Array; a: Float64Array; b: Float64Array; m?: Uint8Array },
  rows: Int32Array,
  range: [number, number],
): Histogram {
  const total = binCounts.reduce((x, y) => x + y, 0);
  const h = { sums: new Float64Array(2 * total), counts: new Int32Array(total) };
  const width = binCounts.length;
  for (let i = range[0]; i < range[1]; i++) {
    const r = rows[i]!, c = input.m ? input.m[r]! : 1;
    let offset = 0;
    for (let f = 0; f < width; f++) {
      const k = offset + input.bins[r * width + f]!;
      h.sums[2 * k] = h.sums[2 * k]! + input.a[r]! * c;
      h.sums[2 * k + 1] = h.sums[2 * k + 1]! + input.b[r]! * c;
      h.counts[k] = h.counts[k]! + c;
      offset += binCounts[f]!;
    }
  }
  return h;
}

Deno.test("buildHistogram (unrolled per width, and generic past 64 features) sums every cell", () => {
  const u = uniforms(21);
  // up to 64 features: the unrolled loop straight into 256-bin layouts, through the stride-256
  // scratch for mixed layouts on long ranges (≥ 2^16 cells), the generic loop on short ones;
  // 70 features always take the generic loop
  const cases = [1, 3, 20, 64, 70].flatMap((width) =>
    [[256, 2, 17, 5], [256]].flatMap((pattern) => [400, 8000].map((rows) => ({ width, pattern, rows })))
  );
  for (const { width, pattern, rows } of cases) {
    const binCounts = Array.from({ length: width }, (_, f) => pattern[f % pattern.length]!);
    const layout = histogramLayout(binCounts);
    const bins = new Uint8Array(rows * width);
    for (let r = 0; r < rows; r++) binCounts.forEach((n, f) => bins[r * width + f] = below(u, n));
    const a = Float64Array.from({ length: rows }, () => below(u, 2001) - 1000);
    const b = Float64Array.from({ length: rows }, () => below(u, 1000));
    const m = Uint8Array.from({ length: rows }, () => 1 + below(u, 3));
    const list = rowsWhere(rows, () => u() < 0.7);
    for (const multiplicity of [undefined, m]) {
      const h = createHistogram(layout);
      const channels = multiplicity ? { a, b, multiplicity } : { a, b };
      // two calls into one histogram: a range split in the middle
      const mid = list.length >> 1;
      buildHistogram(h, { layout, matrix: { bins, numFeatures: width }, channels }, {
        rows: list,
        begin: 0,
        end: mid,
      });
      buildHistogram(h, { layout, matrix: { bins, numFeatures: width }, channels }, {
        rows: list,
        begin: mid,
        end: list.length,
      });
      const want = naiveHistogram(binCounts, { bins, a, b, ...(multiplicity ? { m } : {}) }, list, [
        0,
        list.length,
      ]);
      assert.deepEqual(
        h,
        want,
        `${width} features, bins ${pattern}, ${rows} rows, multiplicity ${multiplicity !== undefined}`,
      );
    }
  }
});

Deno.test("buildHistogram over a thin range of rows (gathered first) sums every cell", () => {
  const u = uniforms(22);
  // 256-bin layouts of 3 (bytes copied one by one), 20 and 64 features (four at a time), 20 again
  // at an odd byte offset (bytes); ranges of under 1/8 of the rows, growing, so the scratch is
  // reused and grown
  for (const [width, offset] of [[3, 0], [20, 0], [64, 0], [20, 1]] as const) {
    const rows = 6000;
    const binCounts = Array.from({ length: width }, () => 256);
    const layout = histogramLayout(binCounts);
    const bins = new Uint8Array(rows * width + offset).subarray(offset);
    for (let r = 0; r < rows; r++) for (let f = 0; f < width; f++) bins[r * width + f] = below(u, 256);
    const a = Float64Array.from({ length: rows }, () => below(u, 2001) - 1000);
    const b = Float64Array.from({ length: rows }, () => below(u, 1000));
    for (const share of [0.01, 0.05, 0.1]) {
      const list = rowsWhere(rows, () => u() < share);
      const h = createHistogram(layout);
      buildHistogram(h, { layout, matrix: { bins, numFeatures: width }, channels: { a, b } }, {
        rows: list,
        begin: 1,
        end: list.length,
      });
      const want = naiveHistogram(binCounts, { bins, a, b }, list, [1, list.length]);
      assert.deepEqual(h, want, `${width} features at offset ${offset}, ${list.length} of ${rows} rows`);
    }
  }
});

Deno.test("roundHalfUp is Math.round bit for bit: ties, their neighbours, zeros, huge and odd values", () => {
  const u = uniforms(23);
  const bits = new Float64Array(1), word = new BigInt64Array(bits.buffer);
  const step = (x: number, by: bigint): number => {
    bits[0] = x;
    word[0] = word[0]! + by;
    return bits[0]!;
  };
  const values = [
    0,
    -0,
    0.5,
    -0.5,
    1.5,
    -1.5,
    2.5,
    -2.5,
    0.49999999999999994,
    -0.49999999999999994,
    0.3,
    -0.3,
    2 ** 52,
    -(2 ** 52),
    2 ** 52 + 1,
    -(2 ** 52) - 1,
    2 ** 52 - 0.5,
    2 ** 53 - 1,
    1e300,
    -1e-300,
    NaN,
    Infinity,
    -Infinity,
  ];
  for (let i = 0; i < 20000; i++) {
    const k = Math.floor((u() - 0.5) * 2 ** (u() * 53));
    for (const base of [k + 0.5, k, k + 0.25]) {
      for (const by of [-2n, -1n, 0n, 1n, 2n]) values.push(step(base, by));
    }
    values.push((u() - 0.5) * 2 ** (u() * 60));
  }
  for (const x of values) assert.ok(Object.is(roundHalfUp(x), Math.round(x)), `roundHalfUp(${x})`);
});
