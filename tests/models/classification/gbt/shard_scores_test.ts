import assert from "node:assert/strict";
import { trainGbt } from "../../../../models/classification/gbt/booster.ts";
import { GbtShard } from "../../../../models/classification/gbt/gbt_shard.ts";
import { resolveGbtParams } from "../../../../models/classification/gbt/params.ts";
import { fitBinnings, shardLocalData } from "../../../../models/classification/tree/local_data.ts";
import { localShardGroup } from "../../../../models/classification/tree/shard_group.ts";
import { XOR_KINDS, xorSample } from "../tree/tree_test_util.ts";

// The shards add each new tree's leaf values through the tree's row partition (one walk per
// segment, one step for rows of a node whose split was never sent); the model's own walk of
// every row must give the very same scores.
for (const [bagging, maxDepth] of [[1, Infinity], [0.6, Infinity], [1, 3]] as const) {
  Deno.test(`shard scores equal the model's walk of every row (bagging ${bagging}, maxDepth ${maxDepth}, zero weights)`, async () => {
    const sample = xorSample(1200, { seed: 11, noise: 0.05 });
    const data = { ...sample, weights: sample.labels.map((_, i) => (i % 9 === 0 ? 0 : 1 + (i % 4) / 3)) };
    const binnings = fitBinnings(data.columns, { kinds: XOR_KINDS });
    const shards = shardLocalData(binnings, data, 3).map((d) => ({ d, shard: new GbtShard(d) }));
    const params = resolveGbtParams({
      numLeaves: 12,
      minDataInLeaf: 5,
      learningRate: 0.3,
      numRounds: 9,
      baggingFraction: bagging,
      maxDepth,
      lookahead: 3,
      seed: 4,
    });
    const { model } = await trainGbt({
      train: localShardGroup(shards.map((s) => s.shard)),
      binnings,
      params,
    });
    assert.equal(model.trees.length, 9);
    for (const { d, shard } of shards) {
      const { bins, numFeatures } = d.matrix;
      const want = Float64Array.from(
        { length: d.numRows },
        (_, r) => model.rawScoreBinned(bins, r * numFeatures),
      );
      assert.deepEqual(shard.scores, want);
    }
  });
}
