import assert from "node:assert/strict";
import { UsageError } from "../../../scripts/cli/common.ts";
import { gridNames, parseGrid, parseRandomSearch } from "../../../scripts/cli/training/tune_grid.ts";

Deno.test("--grid parses into the Cartesian candidates, numbers and flags typed", () => {
  assert.deepEqual(parseGrid("maxDepth=3,5,7;learningRate=0.05,0.1", "gbt").length, 6);
  assert.deepEqual(parseGrid(" numLeaves = 7 ; maxDepth=Infinity,4 ;", "gbt"), [
    { numLeaves: 7, maxDepth: Infinity },
    { numLeaves: 7, maxDepth: 4 },
  ]);
  assert.deepEqual(parseGrid("bootstrap=true,false", "rf"), [{ bootstrap: true }, { bootstrap: false }]);
  assert.deepEqual(parseGrid("regParam=1e-3,0.1", "lr"), [{ regParam: 0.001 }, { regParam: 0.1 }]);
  assert.ok(gridNames("gbt").includes("learningRate") && !gridNames("gbt").includes("seed"));
});

Deno.test("a bad --grid is a UsageError naming the bad part", () => {
  const cases: [string, RegExp][] = [
    ["", /--grid is empty/],
    ["maxDepth", /"maxDepth" has no "="/],
    ["maxDepth=3;depth=4", /"depth=4": gbt has no parameter "depth" \(it has .*maxDepth/],
    ["maxDepth=3,,5", /"maxDepth=3,,5" has an empty value/],
    ["maxDepth=3,x", /"maxDepth=3,x": maxDepth must be an integer in \[1, ∞\), got x/],
    ["learningRate=0.1;learningRate=0.2", /"learningRate" is given twice/],
    ["numLeaves=1", /"numLeaves=1": numLeaves must be an integer in \[2, 131072\], got 1/],
  ];
  for (const [grid, message] of cases) {
    assert.throws(
      () => parseGrid(grid, "gbt"),
      (e: Error) => e instanceof UsageError && message.test(e.message),
      grid,
    );
  }
});

Deno.test("--random draws seeded candidates from ranges and lists; ranges need --random", () => {
  const space = "numLeaves=int:4..64;learningRate=log:0.02..0.3;featureFraction=0.5..1;maxDepth=3,6";
  const a = parseRandomSearch(space, "gbt", { trials: 25, seed: 7 });
  assert.deepEqual(a, parseRandomSearch(space, "gbt", { trials: 25, seed: 7 }));
  assert.notDeepEqual(a, parseRandomSearch(space, "gbt", { trials: 25, seed: 8 }));
  for (const c of a) {
    const leaves = c["numLeaves"] as number,
      lr = c["learningRate"] as number,
      ff = c["featureFraction"] as number;
    assert.ok(Number.isInteger(leaves) && leaves >= 4 && leaves <= 64);
    assert.ok(lr >= 0.02 && lr <= 0.3 && ff >= 0.5 && ff <= 1);
    assert.ok(c["maxDepth"] === 3 || c["maxDepth"] === 6);
  }
  assert.throws(
    () => parseGrid("numLeaves=int:4..64", "gbt"),
    /"numLeaves=int:4..64" is a range: ranges need --random N/,
  );
  assert.throws(
    () => parseRandomSearch("learningRate=log:0..0.3", "gbt", { trials: 2, seed: 1 }),
    /"learningRate=log:0..0.3": a log: range needs lo > 0/,
  );
  assert.throws(
    () => parseRandomSearch("numLeaves=int:1..3", "gbt", { trials: 20, seed: 1 }),
    /"numLeaves=int:1..3" draws 1: numLeaves must be an integer in \[2, 131072\]/,
  );
});
