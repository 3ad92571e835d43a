import assert from "node:assert/strict";
import { MISSING_BIN } from "../../../../models/classification/tree/binning.ts";
import { withColumns } from "../../../../models/classification/tree/histogram.ts";
import { RowPartition } from "../../../../models/classification/tree/row_partition.ts";
import type { SplitRule } from "../../../../models/classification/tree/split.ts";
import { below, uniforms } from "./tree_test_util.ts";

/** Whether a row with `bin` goes left by `rule` (written out independently of the partition). */
function goesLeft(rule: SplitRule, bin: number): boolean {
  if (bin === MISSING_BIN) return rule.defaultLeft;
  return rule.kind === "numeric" ? bin <= rule.thresholdBin : rule.leftBins.includes(bin);
}

for (const columns of [false, true]) {
  Deno.test(`RowPartition.split routes every row by its rule, stably, into contiguous segments (columns: ${columns})`, () => {
    const u = uniforms(7);
    const rows = 3000, width = 5;
    const bins = Uint8Array.from({ length: rows * width }, () => below(u, 20));
    const matrix = columns ? withColumns({ bins, numFeatures: width }) : { bins, numFeatures: width };
    assert.equal(matrix.columns?.length, columns ? width : undefined);
    // every third row, ascending (a bag)
    const start = Int32Array.from({ length: rows / 3 }, (_, i) => 3 * i);
    const partition = new RowPartition(start.slice());
    const members = new Map<number, number[]>([[0, [...start]]]);
    let next = 1;
    for (let step = 0; step < 40; step++) {
      const open = [...members.keys()];
      const node = open[below(u, open.length)]!;
      const feature = below(u, width);
      const defaultLeft = u() < 0.5;
      const rule: SplitRule = u() < 0.6
        ? { kind: "numeric", feature, thresholdBin: 1 + below(u, 19), defaultLeft }
        : { kind: "categorical", feature, leftBins: [1 + below(u, 19), 1 + below(u, 19)], defaultLeft };
      const left = next++, right = next++;
      const went = partition.split(node, { left, right, rule, matrix });
      const mine = members.get(node)!;
      members.delete(node);
      const wantLeft = mine.filter((r) => goesLeft(rule, bins[r * width + feature]!));
      const wantRight = mine.filter((r) => !goesLeft(rule, bins[r * width + feature]!));
      assert.equal(went, wantLeft.length);
      members.set(left, wantLeft);
      members.set(right, wantRight);
      for (const [n, want] of members) {
        const s = partition.segment(n);
        assert.deepEqual([...s.rows.subarray(s.begin, s.end)], want, `node ${n} after step ${step}`);
      }
    }
    assert.equal(partition.has(0), false);
  });
}
