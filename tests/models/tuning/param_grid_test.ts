import assert from "node:assert/strict";
import type { GbtParams } from "../../../models/classification/gbt/params.ts";
import { ParamGridBuilder, randomSearch, type StageParams } from "../../../models/tuning/param_grid.ts";

type Tuned = GbtParams & StageParams<"indexer", { maxCategories: number }>;

Deno.test("ParamGridBuilder crosses every axis in order, the last varying fastest, over stage params too", () => {
  const grid = new ParamGridBuilder<Tuned>()
    .baseOn({ numRounds: 50 })
    .addGrid("numLeaves", [7, 15])
    .addGrid("indexer.maxCategories", [10, 20, 30])
    .build();
  assert.equal(grid.length, 6);
  assert.deepEqual(grid[0], { numRounds: 50, numLeaves: 7, "indexer.maxCategories": 10 });
  assert.deepEqual(grid[1], { numRounds: 50, numLeaves: 7, "indexer.maxCategories": 20 });
  assert.deepEqual(grid[5], { numRounds: 50, numLeaves: 15, "indexer.maxCategories": 30 });
  assert.deepEqual(new ParamGridBuilder<GbtParams>().build(), [{}]);
});

Deno.test("ParamGridBuilder rejects empty and repeated axes by name", () => {
  assert.throws(
    () => new ParamGridBuilder<GbtParams>().addGrid("numLeaves", []),
    /"numLeaves" must be a non-empty list/,
  );
  assert.throws(
    () => new ParamGridBuilder<GbtParams>().addGrid("numLeaves", [3]).addGrid("numLeaves", [4]),
    /"numLeaves" is given twice/,
  );
});

Deno.test("randomSearch is a function of the seed, draws inside the ranges and extends a shorter search", () => {
  const space = {
    learningRate: { logUniform: [0.01, 0.3] },
    numLeaves: { int: [4, 64] },
    featureFraction: { uniform: [0.5, 1] },
    splitsPerRound: { choice: [1, 2] },
  } as const;
  const a = randomSearch<GbtParams>(space, { trials: 40, seed: 3 });
  assert.deepEqual(a, randomSearch<GbtParams>(space, { trials: 40, seed: 3 }));
  assert.deepEqual(a.slice(0, 5), randomSearch<GbtParams>(space, { trials: 5, seed: 3 }));
  assert.notDeepEqual(a, randomSearch<GbtParams>(space, { trials: 40, seed: 4 }));
  for (const c of a) {
    assert.ok(c.learningRate! >= 0.01 && c.learningRate! <= 0.3);
    assert.ok(Number.isInteger(c.numLeaves) && c.numLeaves! >= 4 && c.numLeaves! <= 64);
    assert.ok(c.featureFraction! >= 0.5 && c.featureFraction! <= 1);
    assert.ok(c.splitsPerRound === 1 || c.splitsPerRound === 2);
  }
  assert.ok(new Set(a.map((c) => c.numLeaves)).size > 20);
  assert.throws(
    () => randomSearch<GbtParams>({ learningRate: { logUniform: [0, 1] } }, { trials: 2, seed: 1 }),
    /"learningRate"/,
  );
  assert.throws(() => randomSearch<GbtParams>(space, { trials: 0, seed: 1 }), /trials must be/);
});
