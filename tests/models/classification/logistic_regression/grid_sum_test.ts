import assert from "node:assert/strict";
import {
  DRAIN_ROWS,
  GridAccumulator,
  gridExponent,
  type GridSummary,
  gridValues,
  mergeGridSummary,
} from "../../../../models/classification/logistic_regression/grid_sum.ts";
import { ExactSum } from "../../../../cluster/util/exact_sum.ts";
import { seededRandom } from "../../../../actors/supervisor.ts";

const BOUNDS = [1, 1e-3, 37.5, 0, 2 ** 40];

/** Rows of terms: entry i gets values in [-bound, bound] of every magnitude below it. */
function termRows(n: number, seed: number): number[][] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () =>
    BOUNDS.map((b) => {
      const scale = b * 2 ** -Math.floor(rand() * 60);
      return (rand() * 2 - 1) * scale;
    }));
}

function accumulate(rows: readonly number[][], folds: 1 | 2): GridSummary {
  const acc = new GridAccumulator(BOUNDS, folds);
  rows.forEach((row, r) => {
    row.forEach((t, i) => acc.add(i, t));
    if ((r + 1) % DRAIN_ROWS === 0) acc.drain();
  });
  return acc.summary();
}

function split<T>(xs: readonly T[], parts: number, seed: number): T[][] {
  const rand = seededRandom(seed), out: T[][] = Array.from({ length: parts }, () => []);
  for (const x of xs) out[Math.floor(rand() * parts)]!.push(x);
  return out;
}

Deno.test("gridExponent is the least power of two at or above the bound", () => {
  assert.equal(gridExponent(1), 0);
  assert.equal(gridExponent(1.0000001), 1);
  assert.equal(gridExponent(0.75), 0);
  assert.equal(gridExponent(2 ** -30), -30);
  assert.equal(gridExponent(0), -900);
  assert.throws(() => gridExponent(Infinity), /bound must be in \[0, 2\^960\]/);
  assert.throws(() => gridExponent(-1), RangeError);
  assert.throws(() => gridExponent(Number.NaN), RangeError);
});

Deno.test("grid sums give the same bits for rows split into 1, 2, 3 or 7 partitions merged in any order", () => {
  const rows = termRows(9000, 3);
  for (const folds of [1, 2] as const) {
    const whole = gridValues(accumulate(rows, folds));
    for (const parts of [2, 3, 7]) {
      const summaries = split(rows, parts, parts).map((p) => accumulate(p, folds));
      const forward = summaries[0]!;
      for (const s of summaries.slice(1)) mergeGridSummary(forward, s);
      const backward = split(rows, parts, parts).map((p) => accumulate(p, folds)).reverse();
      for (const s of backward.slice(1)) mergeGridSummary(backward[0]!, s);
      assert.deepEqual(gridValues(forward), whole, `${folds} folds, ${parts} parts`);
      assert.deepEqual(gridValues(backward[0]!), whole, `${folds} folds, ${parts} parts reversed`);
    }
  }
});

Deno.test("two-fold grid sums are within n·2^(e-81) of the exact sum, one fold within n·2^(e-41)", () => {
  const rows = termRows(5000, 9);
  const two = gridValues(accumulate(rows, 2)), one = gridValues(accumulate(rows, 1));
  BOUNDS.forEach((b, i) => {
    const exact = new ExactSum();
    for (const row of rows) exact.add(row[i]!);
    const want = exact.value(), e = gridExponent(b);
    // Measured on these rows: two folds equal the exact sum in every entry; one fold is off by 3e-11
    // on entry 0, whose bound here is 2.3e-9.
    assert.ok(
      Math.abs(two[i]! - want) <= rows.length * 2 ** (e - 81) + Math.abs(want) * 2 ** -52,
      `entry ${i}`,
    );
    assert.ok(
      Math.abs(one[i]! - want) <= rows.length * 2 ** (e - 41) + Math.abs(want) * 2 ** -52,
      `entry ${i}`,
    );
  });
  assert.equal(two[3], 0);
});

Deno.test("merging grid sums built from different bounds or shapes is refused", () => {
  const a = new GridAccumulator([1, 2], 2).summary();
  assert.throws(() => mergeGridSummary(a, new GridAccumulator([1, 4], 2).summary()), /entry 1: 2\^1 vs 2\^2/);
  assert.throws(() => mergeGridSummary(a, new GridAccumulator([1, 2], 1).summary()), /different shapes/);
  assert.throws(() => mergeGridSummary(a, new GridAccumulator([1], 2).summary()), /different shapes/);
});
