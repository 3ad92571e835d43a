import assert from "node:assert/strict";
import type { Row } from "../../../cluster/columnar/batch.ts";
import { batchFromRows } from "../../../cluster/columnar/batch_ops.ts";
import { CounterRandom } from "../../../cluster/util/seeded_random.ts";
import { FeatureAssembler } from "../../../models/features/spec/assemble.ts";
import type { FeatureSpec } from "../../../models/features/spec/feature_spec.ts";
import { rowPipeline } from "../../../streaming/operators/row_pipeline.ts";

/** Every stage kind the row path knows, with text fills, catch-alls, dropped last slots and scaling. */
function spec(
  invalid: { indexer: "keep" | "error" | "skip"; assembler: "keep" | "error" | "skip" },
): FeatureSpec {
  return {
    version: 1,
    inputColumns: [
      { name: "cat", type: "string", nullable: true },
      { name: "chan", type: "string", nullable: true },
      { name: "amount", type: "double", nullable: true },
      { name: "count", type: "long", nullable: true },
      { name: "small", type: "int", nullable: true },
      { name: "flag", type: "bool", nullable: true },
    ],
    stages: [
      { kind: "imputer", inputs: ["chan"], outputs: ["chan"], strategy: "mode", fills: ["pos"] },
      {
        kind: "string_indexer",
        inputs: ["cat", "chan"],
        outputs: ["cat_i", "chan_i"],
        labels: [["a", "b", "c"], ["pos", "online"]],
        handleInvalid: invalid.indexer,
      },
      {
        kind: "one_hot_encoder",
        inputs: ["cat_i", "chan_i"],
        outputs: ["cat_v", "chan_v"],
        sizes: [3, 2],
        catchAll: [invalid.indexer === "keep", false],
        dropLast: true,
        handleInvalid: "keep",
      },
      {
        kind: "imputer",
        inputs: ["amount", "flag"],
        outputs: ["amount_f", "flag"],
        strategy: "mean",
        fills: [12.5, 0.25],
      },
      {
        kind: "vector_assembler",
        inputs: ["amount_f", "count", "small", "flag", "cat_v", "chan_v"],
        output: "raw",
        handleInvalid: invalid.assembler,
      },
      {
        kind: "standard_scaler",
        input: "raw",
        output: "features",
        withMean: true,
        withStd: true,
        mean: [10, 3, 1, 0.5, 0.3, 0.3, 0.5, 0.2, 0.5],
        std: [4, 2, 3, 0, 0.4, 0.4, 0.5, 0.4, 0.5],
      },
    ],
    features: "features",
  } as FeatureSpec;
}

function rows(count: number): Row[] {
  const rng = new CounterRandom(11);
  let draw = 0;
  const pick = <T>(xs: readonly T[]): T => xs[rng.below(draw++, xs.length)]!;
  return Array.from({ length: count }, () => ({
    cat: pick(["a", "b", "c", "zz", null]),
    chan: pick(["pos", "online", "atm", null]),
    amount: pick([0, -0, 3.5, 1e300, NaN, null, Infinity]),
    count: pick([0, 7, null, 2 ** 40]),
    small: pick([0, 3, -2, 2 ** 31 + 5, null]),
    flag: pick([true, false, null]),
  }));
}

Deno.test("the row pipeline gives the one-row batch's features, or declines where the batch path skips or fails", () => {
  for (const indexer of ["keep", "error", "skip"] as const) {
    for (const assembler of ["keep", "error", "skip"] as const) {
      const s = spec({ indexer, assembler });
      const row = rowPipeline(s), batch = new FeatureAssembler(s);
      assert.ok(row !== undefined);
      let assembled = 0, declined = 0;
      for (const r of rows(400)) {
        const got = row.assemble(r);
        let want: Float64Array | undefined;
        try {
          const block = batch.block(batchFromRows(s.inputColumns, [r]), { labels: "ignore" });
          want = block.rows === 1 ? block.values : undefined;
        } catch {
          want = undefined;
        }
        if (got === undefined) {
          declined++;
          assert.equal(want, undefined, `${indexer}/${assembler}: declined ${JSON.stringify(r)}`);
          continue;
        }
        assembled++;
        assert.ok(
          want !== undefined,
          `${indexer}/${assembler}: the batch path fails on ${JSON.stringify(r)}`,
        );
        assert.equal(got.length, want.length);
        for (let c = 0; c < got.length; c++) {
          assert.ok(Object.is(got[c], want[c]), `slot ${c}: ${got[c]} vs ${want[c]}, ${JSON.stringify(r)}`);
        }
      }
      assert.ok(assembled > 0, `${indexer}/${assembler}: some rows assembled`);
      if (indexer !== "keep" || assembler !== "keep") {
        assert.ok(declined > 0, `${indexer}/${assembler}: some declined`);
      }
    }
  }
});

Deno.test("a pipeline with a stage the row path does not know has no row form", () => {
  const s = spec({ indexer: "keep", assembler: "keep" });
  const binned = {
    ...s,
    stages: [...s.stages, {
      kind: "bucketizer",
      inputs: ["amount"],
      outputs: ["amount_b"],
      splits: [[0, 1]],
    }],
  } as unknown as FeatureSpec;
  assert.equal(rowPipeline(binned), undefined);
});
