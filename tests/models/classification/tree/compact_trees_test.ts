import assert from "node:assert/strict";
import { MalformedMessageError } from "../../../../actors/errors.ts";
import { fitGbtLocal } from "../../../../models/classification/gbt/fit_local.ts";
import { binRows } from "../../../../models/classification/tree/binning.ts";
import {
  decodeCompactBinnings,
  decodeCompactTrees,
  encodeCompactBinnings,
  encodeCompactTrees,
} from "../../../../models/classification/tree/compact_trees.ts";
import { XOR_KINDS, xorSample } from "./tree_test_util.ts";

Deno.test("compact trees reach the same leaves and outputs as the trees they encode", async () => {
  const train = xorSample(1500, { seed: 91, noise: 0.1 });
  const { model } = await fitGbtLocal(train, {
    params: { numRounds: 12, numLeaves: 15, minDataInLeaf: 5 },
    kinds: XOR_KINDS,
  });
  assert.ok(model.trees.some((t) => t.arrays.catIndex.some((c) => c >= 0)), "categorical splits are covered");
  const trees = decodeCompactTrees(JSON.parse(JSON.stringify(encodeCompactTrees(model.trees))));
  const binnings = decodeCompactBinnings(JSON.parse(JSON.stringify(encodeCompactBinnings(model.binnings))));
  assert.deepEqual(binnings, model.binnings);
  const test = xorSample(800, { seed: 92 });
  test.columns[2]![0] = 99;
  const bins = binRows(model.binnings, test.columns, 800);
  model.trees.forEach((tree, t) => {
    for (let r = 0; r < 800; r++) {
      assert.equal(trees[t]!.leafOfBinned(bins, 4 * r), tree.leafOfBinned(bins, 4 * r));
      assert.equal(trees[t]!.predictBinned(bins, 4 * r), tree.predictBinned(bins, 4 * r));
    }
  });
});

Deno.test("a 100-tree, 63-leaf model takes under 12 characters a node in compact form, far within 512 KiB", async () => {
  const train = xorSample(6000, { seed: 93, noise: 0.3 });
  const { model } = await fitGbtLocal(train, {
    params: { numRounds: 100, numLeaves: 63, minDataInLeaf: 2, learningRate: 0.05 },
    kinds: XOR_KINDS,
  });
  const nodes = model.trees.reduce((n, t) => n + t.numNodes, 0);
  assert.ok(nodes > 100 * 100, `${nodes} nodes`);
  const bytes =
    JSON.stringify({ t: encodeCompactTrees(model.trees), b: encodeCompactBinnings(model.binnings) }).length;
  assert.ok(bytes < 12 * nodes + 60_000, `${bytes} bytes for ${nodes} nodes`);
  assert.ok(JSON.stringify(model.toJSON()).length > 512 * 1024, "the full JSON would not have fitted");
});

Deno.test("malformed compact trees and binnings are refused with MalformedMessageError", async () => {
  const { model } = await fitGbtLocal(xorSample(300, { seed: 94 }), {
    params: { numRounds: 2, numLeaves: 4, minDataInLeaf: 5 },
    kinds: XOR_KINDS,
  });
  const trees = encodeCompactTrees(model.trees) as Record<string, string>;
  const binnings = encodeCompactBinnings(model.binnings) as Record<string, string>;
  const bad: unknown[] = [
    { ...trees, value: trees.thresholdBin },
    { ...trees, feature: "%%%" },
    { ...trees, nodeOffsets: btoa("\x00\x00\x00") },
    { ...trees, catSplits: btoa("\x00\x00\x00\x00") },
    [],
  ];
  for (const b of bad) {
    assert.throws(() => decodeCompactTrees(b), MalformedMessageError, JSON.stringify(b).slice(0, 80));
  }
  assert.throws(() => decodeCompactBinnings({ ...binnings, offsets: btoa("") }), MalformedMessageError);
});
