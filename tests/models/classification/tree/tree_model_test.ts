import assert from "node:assert/strict";
import {
  binRows,
  categoricalBinningFromValues,
  numericBinningFromValues,
} from "../../../../models/classification/tree/binning.ts";
import { TreeBuilder } from "../../../../models/classification/tree/tree_builder.ts";
import { Tree } from "../../../../models/classification/tree/tree_model.ts";

const info = (value: number) => ({ value, count: 1, weight: 1 });

function sampleTree(): { tree: Tree; binnings: ReturnType<typeof binnings> } {
  const b = binnings();
  const builder = new TreeBuilder(b, info(0));
  const [l, r] = builder.split(0, {
    rule: { kind: "numeric", feature: 0, thresholdBin: 2, defaultLeft: false },
    gain: 5,
    left: info(1),
    right: info(2),
  });
  builder.split(r, {
    rule: { kind: "categorical", feature: 1, leftBins: [1, 3], defaultLeft: true },
    gain: 2,
    left: info(3),
    right: info(4),
  });
  assert.equal(l, 1);
  return { tree: builder.build(), binnings: b };
}

function binnings() {
  return [numericBinningFromValues([1, 2, 3, 4]), categoricalBinningFromValues([10, 20, 30])];
}

Deno.test("a built tree routes raw and binned rows alike, through thresholds, category sets and defaults", () => {
  const { tree, binnings: b } = sampleTree();
  assert.equal(tree.numNodes, 5);
  assert.equal(tree.numLeaves, 3);
  assert.equal(tree.depth(), 2);
  assert.equal(tree.arrays.threshold[0], 2.5);
  const rows = [[1, 10], [2.5, 20], [2.6, 10], [3, 20], [3, 30], [9, NaN], [9, 99], [NaN, 10], [
    -Infinity,
    20,
  ], [Infinity, 30]];
  const want = [1, 1, 3, 4, 3, 3, 3, 3, 1, 3];
  const columns = [rows.map((r) => r[0]!), rows.map((r) => r[1]!)];
  const bins = binRows(b, columns, rows.length);
  rows.forEach((row, i) => {
    assert.equal(tree.predictRow(row), want[i], `row ${row}`);
    assert.equal(tree.predictBinned(bins, 2 * i), want[i], `binned row ${row}`);
  });
  const importance = new Float64Array(2);
  tree.addGainImportance(importance);
  assert.deepEqual([...importance], [5, 2]);
});

Deno.test("trees survive JSON and malformed trees are refused", () => {
  const { tree } = sampleTree();
  const json = JSON.parse(JSON.stringify(tree.toJSON()));
  assert.deepEqual(Tree.fromJSON(json).arrays, tree.arrays);
  assert.throws(() => Tree.fromJSON({ ...json, right: [2, -1] }), /entries/);
  assert.throws(() => Tree.fromJSON({ ...json, left: [0, -1, 3, -1, -1] }), /children/);
  assert.throws(() => Tree.fromJSON({ ...json, feature: [0, -1, 1.5, -1, -1] }), /integers/);
  assert.throws(() => Tree.fromJSON({ ...json, catIndex: [-1, -1, 4, -1, -1] }), /malformed split/);
  assert.throws(() => Tree.fromJSON({ ...json, catCodeOffsets: [0, 9, 3] }), /offsets/);
  assert.throws(() =>
    new TreeBuilder(binnings(), info(0)).split(3, {
      rule: { kind: "numeric", feature: 0, thresholdBin: 1, defaultLeft: false },
      gain: 1,
      left: info(0),
      right: info(0),
    }), RangeError);
});
