import assert from "node:assert/strict";
import {
  FIT,
  outOfTimeSplit,
  rowsOf,
  splitCounts,
  stratifiedSplit,
  TEST,
  VALID,
} from "../../../../scripts/bench/ml/splits.ts";

function labels(n: number, positives: number): Uint8Array {
  // Positives spread through the file, as in the bank data.
  return Uint8Array.from({ length: n }, (_, i) => (i * positives) % n < positives ? 1 : 0);
}

Deno.test("stratifiedSplit keeps 20 % of each class for test and 10 % of each class's training rows for validation", () => {
  const y = labels(1000, 117);
  assert.equal(y.reduce((s, v) => s + v, 0), 117);
  const split = stratifiedSplit(y, { seed: 42 });
  const byClass = (cls: number, code: number) =>
    [...split].filter((c, i) => c === code && y[i] === cls).length;
  assert.equal(byClass(1, TEST), Math.round(0.2 * 117));
  assert.equal(byClass(0, TEST), Math.round(0.2 * 883));
  assert.equal(byClass(1, VALID), Math.round(0.1 * (117 - 23)));
  assert.equal(byClass(0, VALID), Math.round(0.1 * (883 - 177)));
  assert.deepEqual(splitCounts(split), { fit: 1000 - 200 - 80, valid: 80, test: 200 });
});

Deno.test("stratifiedSplit is a function of the labels and the seed", () => {
  const y = labels(500, 60);
  assert.deepEqual(stratifiedSplit(y, { seed: 7 }), stratifiedSplit(y, { seed: 7 }));
  const a = stratifiedSplit(y, { seed: 7 }), b = stratifiedSplit(y, { seed: 8 });
  const same = a.filter((c, i) => (c === TEST) === (b[i] === TEST)).length;
  assert.ok(same < 500, "another seed draws other test rows");
  assert.throws(() => stratifiedSplit([0, 2], { seed: 1 }), RangeError);
  assert.throws(() => stratifiedSplit(y, { seed: 1, testFraction: 1 }), RangeError);
});

Deno.test("outOfTimeSplit trains on the first 80 % in file order and validates on the last 10 % of those", () => {
  const split = outOfTimeSplit(100);
  assert.deepEqual([...rowsOf(split, TEST)], Array.from({ length: 20 }, (_, i) => 80 + i));
  assert.deepEqual([...rowsOf(split, VALID)], Array.from({ length: 8 }, (_, i) => 72 + i));
  assert.equal(rowsOf(split, FIT).length, 72);
  assert.deepEqual(splitCounts(outOfTimeSplit(45_211)), { fit: 32_552, valid: 3_617, test: 9_042 });
});
