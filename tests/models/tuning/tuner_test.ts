import assert from "node:assert/strict";
import { col } from "../../../cluster/expr/column.ts";
import { Frontier } from "../../../cluster/frontier.ts";
import { GbtClassifier } from "../../../models/classification/gbt/gbt_classifier.ts";
import type { GbtParams } from "../../../models/classification/gbt/params.ts";
import { evaluateBinary } from "../../../models/evaluation/dataset_evaluation.ts";
import { makeFolds } from "../../../models/tuning/fold_plan.ts";
import { LogisticTunable } from "../../../models/tuning/logistic_tunable.ts";
import { ParamGridBuilder } from "../../../models/tuning/param_grid.ts";
import { type PreparedTreeFold, TreeTunable } from "../../../models/tuning/tree_tunable.ts";
import { categoricalColumns, featureColumns, type Tunable } from "../../../models/tuning/tunable.ts";
import { tune } from "../../../models/tuning/tuner.ts";
import type { TrialEvent, TuningResult } from "../../../models/tuning/tuning_result.ts";
import { CrossValidator, TimeSeriesValidator } from "../../../models/tuning/validators.ts";
import {
  LABEL,
  linearPipeline,
  treePipeline,
  type TreeStageParams,
  tuningData,
  tuningRows,
} from "./tuning_fixture.ts";
import { startMemoryCluster } from "../classification/tree/cluster_test_util.ts";
import { Pipeline } from "../../../models/features/pipeline.ts";
import { VectorAssembler } from "../../../models/features/vector_assembler.ts";

const BASE: GbtParams = { numRounds: 30, earlyStoppingRounds: 5, minDataInLeaf: 5 };
const gbt = () =>
  new TreeTunable<"gbt", TreeStageParams>("gbt", { label: LABEL, pipeline: treePipeline, base: BASE });
const grid = () =>
  new ParamGridBuilder<GbtParams & TreeStageParams>()
    .addGrid("numLeaves", [4, 15])
    .addGrid("features.noise", [true, false])
    .build();

/** The table without times. */
const table = (r: TuningResult) => r.trials.map(({ ms: _, ...rest }) => rest);

async function cvOn(executors: number, parallelism: number): Promise<TuningResult> {
  await using fx = await Frontier.start({ executors });
  const data = await tuningData(fx, 900, 7, 3);
  return await new CrossValidator({
    estimator: gbt(),
    candidates: grid(),
    metric: "rocAuc",
    numFolds: 3,
    parallelism,
    seed: 5,
    refit: false,
  }).fit(data);
}

Deno.test("cross-validation: the same table for 1 and 2 executors, folds shared per stage params, figures as a direct fit", async () => {
  const one = await cvOn(1, 1);
  const two = await cvOn(2, 2);
  assert.deepEqual(table(two), table(one));
  assert.equal(one.trials.length, 4);
  assert.ok(one.trials.every((t) => t.status === "ok" && t.values.length === 3 && t.rounds.length === 3));
  // 2 stage settings (noise on/off) × 3 folds prepared, 4 candidates × 3 folds fitted
  assert.deepEqual([one.shared.preparations, one.shared.fits], [6, 12]);
  assert.ok(one.trials[one.best]!.mean >= Math.max(...one.trials.map((t) => t.mean)));
  for (const t of one.trials) {
    const m = t.values.reduce((a, b) => a + b) / 3;
    assert.equal(t.mean, m);
    assert.ok(Math.abs(t.std - Math.sqrt(t.values.reduce((a, x) => a + (x - m) ** 2, 0) / 2)) < 1e-15);
  }

  // Independent check of trial 1 fold 2: pipeline and boosted trees fitted directly on the fold.
  await using fx = await Frontier.start({ executors: 2 });
  const data = await tuningData(fx, 900, 7, 2);
  const folds = await makeFolds(data, { kind: "kfold", folds: 3 }, { seed: 5, stratifyBy: LABEL });
  const fold = folds[2]!;
  const params = grid()[1]!;
  const pipeline = await treePipeline({ "features.noise": params["features.noise"]! }).fit(fold.train);
  const features = featureColumns(pipeline);
  const { model } = await new GbtClassifier({ ...BASE, numLeaves: params.numLeaves!, seed: 5 }).fit(
    pipeline.transform(fold.train),
    {
      features,
      categorical: categoricalColumns(pipeline),
      label: LABEL,
      validation: pipeline.transform(fold.validation),
    },
  );
  const scored = model.transform(pipeline.transform(fold.validation), { features });
  const m = await evaluateBinary(scored, { labelCol: LABEL, scoreCol: "probability" });
  assert.equal(one.trials[1]!.values[2], m.rocAuc);
  assert.equal(one.trials[1]!.rounds[2], model.trees.length);
});

Deno.test("a bad parameter combination is recorded failed with its reason; a flaky trial is retried; the search finishes", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const data = await tuningData(fx, 500, 3, 2);
  const inner = gbt();
  let flaked = false;
  const flaky: Tunable<GbtParams & TreeStageParams, PreparedTreeFold> = {
    name: "gbt",
    label: LABEL,
    prepareKey: (p) => inner.prepareKey(p),
    prepare: (...a) => inner.prepare(...a),
    fit: (prep, params, ctx) => {
      if (params.numLeaves === 6 && !flaked) {
        flaked = true;
        throw new Error("executor e-1 was lost");
      }
      return inner.fit(prep, params, ctx);
    },
  };
  const events: TrialEvent[] = [];
  const r = await tune(data, {
    estimator: flaky,
    candidates: [{ numLeaves: 1 }, { numLeaves: 6 }, { numLeaves: 4, learningRate: 2 }],
    plan: { kind: "holdout", trainRatio: 0.7 },
    metric: "logLoss",
    parallelism: 2,
    onTrial: (e) => events.push(e),
  });
  assert.deepEqual(r.trials.map((t) => [t.status, t.attempts]), [["failed", 1], ["ok", 2], ["failed", 1]]);
  assert.match(r.trials[0]!.error!, /^RangeError: numLeaves must be an integer in \[2, 131072\], got 1/);
  assert.match(r.trials[2]!.error!, /^RangeError: learningRate must be a number in \(0, 1\], got 2/);
  assert.equal(r.failed, 2);
  assert.equal(r.best, 1);
  assert.equal(r.metric.direction, "min");
  assert.ok(events.some((e) => e.type === "retry" && e.index === 1 && /e-1 was lost/.test(e.reason)));
  assert.equal(events.filter((e) => e.type === "done").length, 3);
  assert.ok(r.winner !== undefined && r.winner.model.rounds! >= 1);
});

Deno.test("abort stops every running trial, releases their state and rejects the search", async () => {
  const cluster = await startMemoryCluster(2);
  try {
    const rows = tuningRows(2000, 4);
    const names = ["t", "x", "noise", LABEL];
    const data = cluster.fromBatch({
      schema: names.map((name) => ({ name, type: "double" as const, nullable: false })),
      length: rows.length,
      columns: names.map((n) => ({
        type: "double" as const,
        values: Float64Array.from(rows, (r) => Number(r[n])),
      })),
    }, 2);
    const numeric = () =>
      new Pipeline([new VectorAssembler({ inputCols: ["x", "noise"], outputCol: "features" })], {
        features: "features",
        label: LABEL,
      });
    const controller = new AbortController();
    const running: Promise<unknown>[] = [];
    let started = 0, requests = 0, heldAtAbort: number[] = [];
    const inner = new TreeTunable("gbt", {
      label: LABEL,
      pipeline: numeric,
      base: { numRounds: 400, minDataInLeaf: 2 },
      // both trials are boosting (their shards exist, no fold is scored yet): stop the search
      onRequest: () => {
        if (started === 2 && ++requests === 8) {
          heldAtAbort = cluster.heldState();
          controller.abort(new DOMException("stop", "AbortError"));
        }
      },
    });
    const watched: Tunable<GbtParams, PreparedTreeFold> = {
      name: "gbt",
      label: LABEL,
      prepareKey: (p) => inner.prepareKey(p),
      prepare: (...a) => inner.prepare(...a),
      fit: (prep, params, ctx) => {
        const p = inner.fit(prep, params, ctx);
        running.push(p);
        started++;
        return p;
      },
    };
    await assert.rejects(
      tune(data, {
        estimator: watched,
        candidates: [{ numLeaves: 31 }, { numLeaves: 30 }, { numLeaves: 29 }, { numLeaves: 28 }],
        plan: { kind: "kfold", folds: 2 },
        parallelism: 2,
        signal: controller.signal,
      }),
      (e: Error) => e.name === "AbortError",
    );
    assert.ok(heldAtAbort.reduce((a, b) => a + b, 0) > 0, "the executors held trial shards");
    assert.equal(started, 2, "no trial starts after the abort");
    const outcomes = await Promise.allSettled(running);
    assert.ok(outcomes.every((o) => o.status === "rejected"), "both running fits were stopped");
    assert.deepEqual(cluster.heldState(), [0, 0], "every shard was released");
  } finally {
    await cluster.stop();
  }
});

Deno.test("time-series validation with logistic regression: refit on all training rows, one test evaluation", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const data = await tuningData(fx, 800, 8, 2);
  const train = data.filter(col("t").lt(600));
  const test = data.filter(col("t").ge(600));
  const r = await new TimeSeriesValidator({
    estimator: new LogisticTunable({ label: LABEL, pipeline: linearPipeline }),
    candidates: [{ regParam: 1 }, { regParam: 1e-3 }],
    metric: "prAuc",
    time: "t",
    numFolds: 2,
  }).fit(train, { test });
  assert.deepEqual(r.folds.map((f) => [f.trainRows, f.validationRows]), [[200, 200], [400, 200]]);
  assert.ok(r.trials.every((t) => t.status === "ok" && t.rounds.length === 0));
  const w = r.winner!;
  assert.equal(w.test!.rows, 200);
  assert.equal(w.testValue, w.test!.averagePrecision);
  const direct = await evaluateBinary(w.model.score(test), { labelCol: LABEL, scoreCol: "probability" });
  assert.equal(direct.averagePrecision, w.testValue);
});

Deno.test("sharing a fold's preparation changes no figure; pruning stops a hopeless trial after its first fold", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const data = await tuningData(fx, 600, 12, 2);
  const settings = {
    estimator: gbt(),
    candidates: [{ numLeaves: 8 }, { numLeaves: 4 }, { numLeaves: 4, learningRate: 0.001, numRounds: 2 }],
    plan: { kind: "kfold", folds: 2 } as const,
    metric: "logLoss" as const,
    refit: false,
  };
  const shared = await tune(data, settings);
  const unshared = await tune(data, { ...settings, share: false });
  assert.deepEqual(table(unshared), table(shared));
  assert.deepEqual([shared.shared.preparations, unshared.shared.preparations], [2, 6]);
  assert.equal(shared.trials[2]!.status, "ok");

  const pruned = await tune(data, { ...settings, prune: { margin: 0.01 } });
  assert.deepEqual(pruned.trials.map((t) => [t.status, t.values.length]), [["ok", 2], ["ok", 2], [
    "pruned",
    1,
  ]]);
  assert.equal(pruned.trials[2]!.values[0], shared.trials[2]!.values[0]);
  assert.equal(pruned.best, shared.best);
});
