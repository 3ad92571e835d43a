/**
 * The velocity-feature measurement on generated card transactions: boosted trees on the raw
 * columns against the raw columns plus the per-account velocity and deviation features
 * (`models/features/velocity.ts`), out of time (the latest 20 % by event time is test, the latest
 * 10 % of the rest validation), by test PR-AUC — with early stopping on the validation rows (as
 * everywhere in the study) and with all 100 rounds. Duplicate and malformed records are removed first,
 * as the velocity features' definition requires; `scenario` (the fraud pattern) is never a feature.
 *
 * @module
 */
import type { Dataset } from "../../cluster/dataset.ts";
import { col, count, lit, sum, when } from "../../cluster/expr/column.ts";
import type { Frontier } from "../../cluster/frontier.ts";
import { generateDemoKey } from "../../cluster/sources/transactions/card_token.ts";
import { timeSplit } from "../../models/features/split/time_split.ts";
import { VELOCITY_FEATURES, withVelocityFeatures } from "../../models/features/velocity.ts";
import { type Columns, studyPipeline } from "./study_features.ts";
import { type Figures, LABEL, measure, train } from "./study_models.ts";

/** The raw feature columns of the generated transactions. */
export const RAW: Columns = {
  categorical: ["merchant_category", "channel", "country", "currency"],
  numeric: ["amount", "hour"],
};

/** One variant's result. */
export interface FraudResult {
  readonly variant: string;
  readonly features: number;
  readonly figures: Figures;
  readonly seconds: number;
}

/** What the fraud study measured. */
export interface FraudStudy {
  readonly rows: { readonly generated: number; readonly clean: number; readonly positives: number };
  readonly split: { readonly fit: number; readonly validation: number; readonly test: number };
  readonly results: readonly FraudResult[];
}

/** Runs the study on `rows` generated transactions. */
export async function fraudStudy(
  fx: Frontier,
  options: { rows: number; seed: number; log: (line: string) => void },
): Promise<FraudStudy> {
  const { log } = options;
  const tx = fx.transactions({
    rows: options.rows,
    seed: options.seed,
    tokenKey: generateDemoKey({ seed: options.seed }),
    partitions: 4,
  });
  const clean = tx.filter(col("is_duplicate").not().and(col("is_malformed").not()));
  const velocity = VELOCITY_FEATURES.map((f) => f.name);
  let data: Dataset = withVelocityFeatures(clean)
    .withColumn(LABEL, when(col("is_fraud"), lit(1, "double")).otherwise(lit(0, "double")))
    .withColumn("hour", col("event_time").cast("long").mod(86_400_000).div(3_600_000).floor().cast("double"));
  for (const v of ["new_merchant", "new_country"]) data = data.withColumn(v, col(v).cast("double"));
  data = data.cache();
  const [counts] = await data.agg(
    count().alias("n"),
    sum(LABEL).alias("p"),
  ).collect();
  const { train: trainPart, test } = await timeSplit(data, { time: "event_time", trainFraction: 0.8 });
  const { train: fit, test: validation, trainRows, testRows } = await timeSplit(trainPart, {
    time: "event_time",
    trainFraction: 0.9,
  });
  const testCount = await test.count();
  log(
    `transactions: ${counts!["n"]} clean rows, ${
      counts!["p"]
    } frauds; fit ${trainRows}, validation ${testRows}, test ${testCount}`,
  );
  const results: FraudResult[] = [];
  const variants: [string, Columns][] = [
    ["raw columns", RAW],
    ["raw + velocity", { categorical: RAW.categorical, numeric: [...RAW.numeric, ...velocity] }],
  ];
  for (const [name, cols] of variants) {
    for (const earlyStopping of [true, false]) {
      const variant = earlyStopping ? name : `${name}, 100 rounds`;
      const t0 = performance.now();
      const pipeline = await studyPipeline("native", cols).fit(fit);
      const scorer = await train({
        model: "gbt",
        pipeline,
        fit,
        validation,
        seed: options.seed,
        earlyStopping,
      });
      const figures = await measure(scorer, validation, test);
      const seconds = (performance.now() - t0) / 1000;
      log(
        `transactions · gbt · ${variant}: PR-AUC ${figures.prAuc.toFixed(4)}, ROC-AUC ${
          figures.rocAuc.toFixed(4)
        } (${seconds.toFixed(1)} s, ${scorer.describe})`,
      );
      results.push({ variant, features: pipeline.featureNames.length, figures, seconds });
    }
  }
  await data.unpersist();
  return {
    rows: { generated: options.rows, clean: Number(counts!["n"]), positives: Number(counts!["p"]) },
    split: { fit: trainRows, validation: testRows, test: testCount },
    results,
  };
}
