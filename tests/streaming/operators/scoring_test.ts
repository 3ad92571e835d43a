import assert from "node:assert/strict";
import { col, Frontier, type Row } from "../../../mod.ts";
import type { Dataset } from "../../../cluster/dataset.ts";
import {
  forestCodec,
  GbtClassifier,
  gbtCodec,
  GbtModel,
  LOGISTIC_BODY_CODEC,
  LogisticRegression,
  RandomForestClassifier,
  saveModel,
} from "../../../models/mod.ts";
import {
  Imputer,
  OneHotEncoder,
  Pipeline,
  type PipelineModel,
  StringIndexer,
  toFeatureSchema,
  VectorAssembler,
} from "../../../models/features/mod.ts";
import { slotColumn } from "../../../models/features/column_info.ts";
import type { BodyCodec } from "../../../models/persistence/registry.ts";
import { withVelocityFeatures } from "../../../models/features/velocity.ts";
import {
  type FeatureInput,
  onlineFeatures,
  runOperator,
  Scorer,
  scoringOperator,
  type ScoringOutput,
  type Timed,
} from "../../../streaming/mod.ts";

const HOUR = 3_600_000;
const TOKEN_KEY = new Uint8Array(32).fill(9);
const LATENESS = 30_000;

function pipeline(): Pipeline {
  return new Pipeline([
    new StringIndexer({ inputCols: ["merchant_category", "channel"], handleInvalid: "keep" }),
    new OneHotEncoder({ inputCols: ["merchant_category_index", "channel_index"], handleInvalid: "keep" }),
    new Imputer({
      inputCols: ["amount_z", "amount_to_mean", "secs_since_prev"],
      outputCols: ["z", "to_mean", "since_prev"],
      strategy: "mean",
    }),
    new VectorAssembler({
      inputCols: [
        "amount",
        "tx_count_1h",
        "amount_sum_1h",
        "prior_tx_count",
        "z",
        "to_mean",
        "since_prev",
        "merchant_category_index_vec",
        "channel_index_vec",
      ],
    }),
  ], { label: "label" });
}

async function save<M>(dir: string, codec: BodyCodec<M>, model: M, fitted: PipelineModel, threshold: number) {
  await saveModel(dir, {
    codec,
    model,
    info: {
      frontierVersion: "0.1.0",
      createdAt: "2026-01-01T00:00:00.000Z",
      params: {},
      schema: toFeatureSchema(fitted.spec),
      metrics: { threshold },
      training: { dataHash: "sha256:00" },
      warnings: [],
    },
  });
}

/** The probability at rank `q` of the batch scores: a threshold some events pass. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

Deno.test("online scores of LR, GBT and RF model directories equal the batch model.transform scores", async () => {
  await using fx = await Frontier.start({ executors: 2 });
  const parent = await Deno.makeTempDir();
  try {
    const tx = fx.transactions({
      rows: 3_000,
      seed: 31,
      tokenKey: TOKEN_KEY,
      partitions: 2,
      options: {
        accounts: 50,
        durationMs: 2 * 24 * HOUR,
        fraudRate: 0.08,
        allowedLatenessMs: LATENESS,
        outOfOrderFraction: 0.3,
      },
    });
    const featured = withVelocityFeatures(tx).withColumn("label", col("is_fraud").cast("double")).cache();
    const fitted = await pipeline().fit(featured);
    const slots = fitted.featureNames.map((n) => slotColumn(fitted.spec.features, n));
    const transformed = fitted.transform(featured);
    const lr = await new LogisticRegression({ featureNames: fitted.featureNames }).fit(transformed, {
      featureCols: slots,
      labelCol: "label",
    });
    const gbt = (await new GbtClassifier({ numRounds: 15, numLeaves: 8, seed: 3 }).fit(transformed, {
      features: slots,
      label: "label",
    })).model;
    const rf = (await new RandomForestClassifier({ numTrees: 8, maxDepth: 5, seed: 3 }).fit(transformed, {
      features: slots,
      label: "label",
    })).model;
    // A model reading pipeline outputs that are not its vector's slots (scored through the transform).
    const lrColumns = await new LogisticRegression().fit(transformed, {
      featureCols: ["amount", "z"],
      labelCol: "label",
    });
    // Trees over category indices split natively and raw numbers (the CLI's tree pipeline).
    const treeFitted = await new Pipeline([
      new StringIndexer({ inputCols: ["merchant_category", "channel"], handleInvalid: "keep" }),
      new VectorAssembler({
        inputCols: ["amount", "tx_count_1h", "amount_z", "merchant_category_index", "channel_index"],
        handleInvalid: "keep",
      }),
    ], { label: "label" }).fit(featured);
    const treeSlots = treeFitted.featureNames.map((n) => slotColumn(treeFitted.spec.features, n));
    const categorical = treeFitted.layout.slots.flatMap((s) =>
      s.kind === "categorical" ? [slotColumn(treeFitted.spec.features, s.name)] : []
    );
    assert.equal(categorical.length, 2);
    const treeTransformed = treeFitted.transform(featured);
    const gbtNative =
      (await new GbtClassifier({ numRounds: 15, numLeaves: 8, seed: 4 }).fit(treeTransformed, {
        features: treeSlots,
        categorical,
        label: "label",
      })).model;
    assert.equal(gbtNative.binnings.filter((b) => b.kind === "categorical").length, 2);
    const batchScores = async (scored: Dataset) =>
      new Map(
        (await scored.select("transaction_id", "probability").collect()).map((
          r,
        ) => [r["transaction_id"] as string, r["probability"] as number]),
      );
    const models = [
      {
        name: "lr",
        scores: await batchScores(lr.transform(transformed)),
        save: (d: string, t: number) => save(d, LOGISTIC_BODY_CODEC, lr, fitted, t),
      },
      {
        name: "lr_columns",
        scores: await batchScores(lrColumns.transform(transformed)),
        save: (d: string, t: number) => save(d, LOGISTIC_BODY_CODEC, lrColumns, fitted, t),
      },
      {
        name: "gbt",
        scores: await batchScores(gbt.transform(transformed, { features: slots })),
        save: (d: string, t: number) => save(d, gbtCodec, gbt, fitted, t),
      },
      {
        name: "gbt_native",
        scores: await batchScores(gbtNative.transform(treeTransformed, { features: treeSlots })),
        save: (d: string, t: number) => save(d, gbtCodec, gbtNative, treeFitted, t),
      },
      {
        name: "rf",
        scores: await batchScores(rf.transform(transformed, { features: slots })),
        save: (d: string, t: number) => save(d, forestCodec, rf, fitted, t),
      },
    ];

    // The serving path: arrivals → online features → scoring.
    const arrivals = await tx.sort("seq").collect();
    const inputs: Timed<FeatureInput>[] = [];
    let max = -Infinity;
    arrivals.forEach((row, i) => {
      max = Math.max(max, row["event_time"] as number);
      inputs.push({ time: i, value: { type: "event", row } }, {
        time: i,
        value: { type: "watermark", watermark: max - LATENESS },
      });
    });
    inputs.push({ time: arrivals.length, value: { type: "end" } });
    const events = runOperator(onlineFeatures(), inputs).outputs.flatMap((o) =>
      o.type === "features" ? [o.row] : []
    );
    assert.equal(events.length, 3_000);

    for (const m of models) {
      const threshold = quantile([...m.scores.values()], 0.95);
      const dir = `${parent}/${m.name}`;
      await m.save(dir, threshold);
      const scorer = await Scorer.load(dir);
      assert.equal(scorer.threshold, threshold);
      const { state, outputs } = runOperator(
        scoringOperator(scorer, { topK: 3 }),
        events.map((row: Row, i) => ({ time: i, value: { type: "event" as const, row } })),
      );
      const scores = outputs.filter((o): o is Extract<ScoringOutput, { type: "score" }> =>
        o.type === "score"
      );
      assert.equal(scores.length, events.length, m.name);
      for (const s of scores) {
        const want = m.scores.get(s.row["transaction_id"] as string);
        assert.ok(
          Object.is(s.probability, want),
          `${m.name} ${s.row["transaction_id"]}: online ${s.probability}, batch ${want}`,
        );
      }
      const alerts = outputs.filter((o): o is Extract<ScoringOutput, { type: "alert" }> =>
        o.type === "alert"
      );
      const expected = [...m.scores.values()].filter((p) => p >= threshold).length;
      assert.ok(
        expected > 0 && alerts.length === expected,
        `${m.name}: ${alerts.length} alerts, ${expected} expected`,
      );
      assert.deepEqual(state, { version: 1, scored: 3_000, alerts: expected, rejected: 0 });
      for (const a of alerts) {
        assert.ok(a.top.length > 0 && a.top.length <= 3);
        assert.equal(a.method, m.name.startsWith("lr") ? "linear" : "saabas");
        for (let k = 1; k < a.top.length; k++) {
          assert.ok(Math.abs(a.top[k - 1]!.contribution) >= Math.abs(a.top[k]!.contribution));
        }
        assert.ok(a.top.every((c) => scorer.featureNames.includes(c.feature)));
      }
      // Contributions add up to the score: log-odds for LR and GBT, probability for the forest.
      for (const row of events.slice(0, 300)) {
        const r = scorer.score(row);
        assert.ok(r.ok);
        const attribution = scorer.explain(r.features);
        const total = attribution.bias + attribution.contributions.reduce((s, c) => s + c, 0);
        const score = m.name === "rf" ? r.probability : Math.log(r.probability / (1 - r.probability));
        assert.ok(
          Math.abs(total - score) <= 1e-9 * Math.max(1, Math.abs(score)),
          `${m.name}: ${total} vs ${score}`,
        );
      }
    }
    assert.ok(gbt instanceof GbtModel);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
