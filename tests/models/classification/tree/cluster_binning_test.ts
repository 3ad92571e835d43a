import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../../actors/errors.ts";
import { mergeBinningValues } from "../../../../models/classification/tree/cluster_binning.ts";
import { encodeSource } from "../../../../models/classification/tree/shard_source.ts";
import { columnSource } from "../../../../models/classification/tree/cluster_training.ts";
import { below, uniforms } from "./tree_test_util.ts";

/** A sample value: feature count, then per feature `[n, …values]`. */
function sample(sections: readonly number[][]): Float64Array {
  return Float64Array.from([sections.length, ...sections.flatMap((s) => [s.length, ...s])]);
}

Deno.test("mergeBinningValues merges sorted numeric samples as a sort of their concatenation would", () => {
  const u = uniforms(3);
  const source = columnSource({ features: ["a", "c", "b"], categorical: ["c"], label: "y" });
  const ctx = { args: { source: encodeSource(source), firstRowIds: [0, 10], fraction: 0.5, seed: 1 } };
  // duplicates, zeros of both signs and infinities, in sorted runs of random lengths
  const pool = [-Infinity, -2, -0, 0, 0.5, 0.5, 3, Infinity];
  const run = () => Float64Array.from({ length: below(u, 12) }, () => pool[below(u, pool.length)]!).sort();
  for (let trial = 0; trial < 50; trial++) {
    const [a1, a2, b1, b2] = [run(), run(), run(), run()];
    const cats1 = [4, 10, 7, 2], cats2 = [4, 1];
    const merged = mergeBinningValues(
      sample([[...a1], cats1, [...b1]]),
      sample([[...a2], cats2, [...b2]]),
      ctx,
    ) as Float64Array;
    const want = sample([
      [...Float64Array.from([...a1, ...a2]).sort()],
      [...cats1, ...cats2],
      [...Float64Array.from([...b1, ...b2]).sort()],
    ]);
    // byte for byte: −0 and +0 in the same places
    assert.deepEqual(new Uint8Array(merged.buffer), new Uint8Array(want.buffer), `trial ${trial}`);
  }
  assert.throws(
    () => mergeBinningValues(sample([[1], [2, 3]]), sample([[1], [2, 3]]), ctx),
    MalformedMessageError,
  );
});
