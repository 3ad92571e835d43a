/**
 * Executor-resident shards rebuilt from the driver's journal answer exactly as the shards they
 * replace: training in which every request goes to a shard rebuilt from scratch (and answered
 * twice, the second time as a redo) gives the model of ordinary training.
 */
import assert from "node:assert/strict";
import { trainGbt } from "../../../../models/classification/gbt/booster.ts";
import { fitGbtLocal } from "../../../../models/classification/gbt/fit_local.ts";
import { GbtJournal } from "../../../../models/classification/gbt/gbt_journal.ts";
import type { GbtRequest } from "../../../../models/classification/gbt/gbt_protocol.ts";
import { decodeGbtRequest } from "../../../../models/classification/gbt/gbt_protocol.ts";
import { decodeGbtReplay } from "../../../../models/classification/gbt/gbt_journal.ts";
import { GbtShard } from "../../../../models/classification/gbt/gbt_shard.ts";
import { resolveGbtParams } from "../../../../models/classification/gbt/params.ts";
import { trainForest } from "../../../../models/classification/random_forest/forest.ts";
import {
  decodeForestReplay,
  ForestJournal,
} from "../../../../models/classification/random_forest/forest_journal.ts";
import {
  decodeForestRequest,
  type ForestRequest,
} from "../../../../models/classification/random_forest/forest_protocol.ts";
import { ForestShard } from "../../../../models/classification/random_forest/forest_shard.ts";
import { fitForestLocal } from "../../../../models/classification/random_forest/fit_local.ts";
import { resolveForestParams } from "../../../../models/classification/random_forest/params.ts";
import { fitBinnings, shardLocalData } from "../../../../models/classification/tree/local_data.ts";
import type { ShardJournal } from "../../../../models/classification/tree/cluster_shard_group.ts";
import {
  encodeReply,
  mergeReplies,
  type ShardReply,
} from "../../../../models/classification/tree/protocol.ts";
import type { ShardGroup } from "../../../../models/classification/tree/shard_group.ts";
import type { ShardData } from "../../../../models/classification/tree/shard.ts";
import { XOR_KINDS, xorSample } from "./tree_test_util.ts";
import type { Json } from "../../../../actors/errors.ts";
import type { Batch } from "../../../../cluster/columnar/batch.ts";
import { StateMissingError } from "../../../../cluster/errors.ts";
import { StateStore } from "../../../../cluster/executor/state_store.ts";
import { encodeBinning } from "../../../../models/classification/tree/binning.ts";
import { decodeReply } from "../../../../models/classification/tree/protocol.ts";
import { encodeSource } from "../../../../models/classification/tree/shard_source.ts";
import { answerShardRequest } from "../../../../models/classification/tree/shard_state.ts";
import { TREE_KINDS } from "../../../../models/classification/tree_jobs.ts";

interface Handler<Req> {
  handle(request: Req, options?: { redo?: boolean }): ShardReply;
}

/**
 * A shard group whose every request goes to shards rebuilt from the data and the journal's
 * replay (through JSON), each answering twice: normally, then as a redo, which must not differ.
 */
function rebuildingGroup<Req extends { type: string }>(
  shards: readonly ShardData[],
  setup: {
    journal: ShardJournal<Req>;
    restore: (data: ShardData, replay: unknown) => Handler<Req>;
    decode: (value: unknown) => Req;
  },
): ShardGroup<Req> & { rebuilt: number } {
  const group = {
    rebuilt: 0,
    request(request: Req): Promise<ShardReply> {
      const replay = JSON.parse(JSON.stringify(setup.journal.replay()));
      const wire = setup.decode(JSON.parse(JSON.stringify(request)));
      const replies = shards.map((data) => {
        const shard = setup.restore(data, replay);
        group.rebuilt++;
        const reply = shard.handle(wire);
        const again = shard.handle(wire, { redo: true });
        assert.deepEqual(encodeReply(again), encodeReply(reply), `redo of ${request.type}`);
        return reply;
      });
      setup.journal.record(request);
      return Promise.resolve(replies.reduce((a, b) => mergeReplies(a, b)));
    },
  };
  return group;
}

Deno.test("boosting on shards rebuilt from the journal before every request gives the ordinary model", async () => {
  const sample = xorSample(900, { seed: 31, noise: 0.05 });
  const train = { ...sample, weights: sample.labels.map((y, i) => (y === 1 ? 2 : 1) + (i % 4) / 8) };
  const valid = xorSample(300, { seed: 32, noise: 0.05 });
  const params = resolveGbtParams({
    numRounds: 6,
    numLeaves: 6,
    minDataInLeaf: 5,
    baggingFraction: 0.8,
    featureFraction: 0.75,
    seed: 4,
    earlyStoppingRounds: 3,
  });
  const binnings = fitBinnings(train.columns, { kinds: XOR_KINDS });
  const expected = await fitGbtLocal(train, { params, binnings, validation: valid, shards: 2 });
  const group = (data: ShardData[]) =>
    rebuildingGroup<GbtRequest>(data, {
      journal: new GbtJournal(),
      restore: (d, replay) => {
        const shard = new GbtShard(d);
        shard.replay(decodeGbtReplay(replay));
        return shard;
      },
      decode: decodeGbtRequest,
    });
  const trainGroup = group(shardLocalData(binnings, train, 2));
  const got = await trainGbt({
    train: trainGroup,
    validation: group(shardLocalData(binnings, valid, 1)),
    binnings,
    params,
  });
  assert.equal(JSON.stringify(got.model.toJSON()), JSON.stringify(expected.model.toJSON()));
  assert.deepEqual(got.trainLoss, expected.trainLoss);
  assert.deepEqual(got.validationLoss, expected.validationLoss);
  assert.equal(trainGroup.rebuilt, 2 * got.requests);
});

Deno.test("a forest on shards rebuilt from the journal before every request gives the ordinary forest", async () => {
  const train = xorSample(900, { seed: 33, noise: 0.05 });
  const params = resolveForestParams({ numTrees: 5, maxDepth: 5, treesPerGroup: 2, seed: 8 });
  const binnings = fitBinnings(train.columns, { kinds: XOR_KINDS });
  const expected = await fitForestLocal(train, { params, binnings, shards: 3 });
  const shards = rebuildingGroup<ForestRequest>(shardLocalData(binnings, train, 3), {
    journal: new ForestJournal(),
    restore: (d, replay) => {
      const shard = new ForestShard(d);
      shard.replay(decodeForestReplay(replay));
      return shard;
    },
    decode: decodeForestRequest,
  });
  const got = await trainForest({ shards, binnings, params });
  assert.equal(JSON.stringify(got.model.toJSON()), JSON.stringify(expected.model.toJSON()));
  assert.equal(shards.rebuilt, 3 * got.requests);
});

/** One partition's batch of an XOR sample and the replay that rebuilds a fresh boosting shard on it. */
function xorBatch(rows: number, seed: number): { batch: Batch; replay: Json } {
  const sample = xorSample(rows, { seed });
  const names = ["a", "b", "c", "d"];
  const batch: Batch = {
    schema: [...names, "y"].map((name) => ({ name, type: "double" as const, nullable: true })),
    length: rows,
    columns: [...sample.columns, sample.labels].map((values) => ({ type: "double" as const, values })),
  };
  const source = { kind: "columns", features: names, categorical: ["c"], label: "y" } as const;
  const binnings = fitBinnings(sample.columns, { kinds: XOR_KINDS });
  const replay = {
    base: { source: encodeSource(source), binnings: binnings.map(encodeBinning), firstRowIds: [0] },
    journal: new GbtJournal().replay(),
  } as Json;
  return { batch, replay };
}

Deno.test("the shard fold keeps its shard in executor state, answers a resent request again, and needs a replay when the state is gone", () => {
  const { batch, replay } = xorBatch(200, 34);
  const state = new StateStore();
  const ask = (seq: number, request: Json, withReplay = false) =>
    decodeReply(answerShardRequest([batch], {
      partition: 0,
      numPartitions: 1,
      args: { kind: "gbt", session: "s/", seq, request, ...(withReplay ? { replay } : {}) },
      seed: 0,
      signal: new AbortController().signal,
      state,
      schema: batch.schema,
    }, TREE_KINDS));
  assert.throws(() => ask(1, { type: "gbt.describe" }), StateMissingError);
  assert.deepEqual(ask(1, { type: "gbt.describe" }, true), {
    type: "describe",
    rows: 200,
    maxWeight: 1,
    badLabels: 0,
  });
  assert.ok(state.bytes >= 200 * 4, `state bytes ${state.bytes}`);
  const sums = ask(2, { type: "gbt.labelSums", scale: 1024 });
  assert.deepEqual(
    ask(2, { type: "gbt.labelSums", scale: 1024 }),
    sums,
    "a resent request is answered again",
  );
  assert.throws(() => ask(4, { type: "gbt.describe" }), StateMissingError, "a gap means stale state");
  assert.equal(state.size, 0, "stale state is dropped");
  assert.deepEqual(ask(4, { type: "gbt.labelSums", scale: 1024 }, true), sums);
  assert.throws(() => ask(5, { type: "gbt.round" }), /Malformed/);
  assert.equal(state.size, 0, "a failed request drops the shard: it may be half-applied");
  // A replay staged in pieces: all of them rebuild the shard, a missing one is a missing state.
  const text = JSON.stringify(replay);
  const stage = (seq: number, index: number) =>
    answerShardRequest([batch], {
      partition: 0,
      numPartitions: 1,
      args: {
        kind: "gbt",
        session: "s/",
        seq,
        stage: { index, count: 2, text: index ? text.slice(9) : text.slice(0, 9) },
      },
      seed: 0,
      signal: new AbortController().signal,
      state,
      schema: batch.schema,
    }, TREE_KINDS);
  stage(6, 1);
  const staged = (seq: number) => ({
    partition: 0,
    numPartitions: 1,
    args: { kind: "gbt", session: "s/", seq, request: { type: "gbt.describe" }, replay: { staged: 2 } },
    seed: 0,
    signal: new AbortController().signal,
    state,
    schema: batch.schema,
  });
  assert.throws(
    () => answerShardRequest([batch], staged(6), TREE_KINDS),
    StateMissingError,
    "piece 0 is missing",
  );
  stage(6, 0);
  stage(6, 1);
  assert.deepEqual(decodeReply(answerShardRequest([batch], staged(6), TREE_KINDS)).type, "describe");
  assert.equal(state.size, 1, "the pieces are dropped once used");
});

Deno.test("sessions naming one shareData prefix bin a partition's rows once and read them all", () => {
  const { batch, replay } = xorBatch(300, 35);
  const state = new StateStore();
  const ask = (batches: Batch[], session: string, request: Json, shareData?: string) =>
    decodeReply(answerShardRequest(batches, {
      partition: 0,
      numPartitions: 1,
      args: {
        kind: "gbt",
        session,
        seq: 1,
        request,
        replay,
        ...(shareData === undefined ? {} : { shareData }),
      },
      seed: 0,
      signal: new AbortController().signal,
      state,
      schema: batch.schema,
    }, TREE_KINDS));
  const sums = { type: "gbt.labelSums", scale: 1024 };
  const first = ask([batch], "trial1/", sums, "fold/");
  assert.ok(state.get("fold/0") !== undefined, "the binned rows are kept under the prefix");
  // The second trial gets no batches at all: only the shared rows can answer as the first did.
  assert.deepEqual(ask([], "trial2/", sums, "fold/"), first);
  assert.deepEqual(ask([], "trial3/", { type: "gbt.describe" }, "fold/"), {
    type: "describe",
    rows: 300,
    maxWeight: 1,
    badLabels: 0,
  });
  // Without the prefix a session bins what it is given.
  assert.deepEqual(ask([], "trial4/", { type: "gbt.describe" }), {
    type: "describe",
    rows: 0,
    maxWeight: 0,
    badLabels: 0,
  });
  // A forest session over the same prefix reads the same rows.
  assert.equal(
    decodeReply(answerShardRequest([], {
      partition: 0,
      numPartitions: 1,
      args: {
        kind: "rf",
        session: "forest/",
        seq: 1,
        request: { type: "rf.describe" },
        replay: { ...(replay as Record<string, Json>), journal: new ForestJournal().replay() },
        shareData: "fold/",
      },
      seed: 0,
      signal: new AbortController().signal,
      state,
      schema: batch.schema,
    }, TREE_KINDS)).type,
    "describe",
  );
  assert.throws(
    () => ask([batch], "trial5/", sums, ""),
    /Malformed shard request shareData: a non-empty string/,
  );
});
