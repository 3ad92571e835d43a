/**
 * Task 4 of the demo: real-time transaction analysis on the embedded source (no broker).
 *
 * 1. A fraud model for the stream: generated card transactions (seed S) with the per-account
 *    velocity features computed on the cluster (`models/features/velocity.ts`), a logistic
 *    regression trained by the same code as `frontier train` (random split, threshold by max F1
 *    on validation) and saved as a model directory. (Task 2's models score bank customers, not
 *    card transactions, hence this one.)
 * 2. Other transactions (seed S + 1) streamed through `readStream.embedded` with disorder —
 *    out-of-order, late, duplicate and malformed records — into tumbling one-minute windows per
 *    account, scored online by that model (the velocity features computed from keyed state with
 *    the same definitions), with statistical anomalies and per-category trends.
 * 3. The counts: windows, alerts, anomalies, trends, and the reconciliation
 *    consumed = aggregated + late + duplicates + quarantined, with rates and latency.
 *
 * The same against the real broker: see README ("Task 4 on Kafka").
 *
 * ```sh
 * deno run -A scripts/demo/task4.ts [--out out/task4] [--seed 42] [--rows 15000]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { Clock } from "../../actors/clock.ts";
import { col } from "../../cluster/expr/column.ts";
import { Frontier } from "../../cluster/frontier.ts";
import { generateDemoKey } from "../../cluster/sources/transactions/card_token.ts";
import { VELOCITY_FEATURES, withVelocityFeatures } from "../../models/features/velocity.ts";
import type { StreamMetrics } from "../../streaming/stream_metrics.ts";
import { readStream } from "../../streaming/stream_query.ts";
import { processIo, Progress } from "../cli/common.ts";
import { modelKind } from "../cli/training/model_kinds.ts";
import { runTraining } from "../cli/training/run_training.ts";

/** Options of {@linkcode runTask4}. */
export interface Task4Options {
  /** Output directory (train-data/, models/, stream/). */
  readonly out: string;
  readonly seed: number;
  /** Transactions streamed. */
  readonly rows: number;
  /** Transactions the model is trained on. */
  readonly trainRows: number;
  /** Where the cluster runs, for the training summary. */
  readonly cluster: string;
  readonly clock: Clock;
  readonly log: (line: string) => void;
}

/** What Task 4 did. */
export interface Task4Summary {
  /** The model directory. */
  readonly model: string;
  /** Its alert threshold. */
  readonly threshold: number;
  /** The stream's last metrics. */
  readonly metrics: StreamMetrics;
}

const DAY = 86_400_000;
/** Fraud is 0.3 % by default; more of it gives the small training set positives to learn from. */
const FRAUD_RATE = 0.02;
const LATENESS_MS = 30_000;
const SPAN_DAYS = 1;
const ACCOUNTS = 500;

/** Trains the stream's model on `fx`, then streams; resolves to the summary. */
export async function runTask4(fx: Frontier, options: Task4Options): Promise<Task4Summary> {
  const { log, seed, out } = options;
  const columns = [
    "merchant_category",
    "amount",
    "channel",
    "country",
    ...VELOCITY_FEATURES.map((f) => f.name),
  ];
  const generator = {
    durationMs: SPAN_DAYS * DAY,
    fraudRate: FRAUD_RATE,
    accounts: ACCOUNTS,
    allowedLatenessMs: LATENESS_MS,
  };
  log(`task 4: ${options.trainRows} transactions with velocity features → ${out}/train-data`);
  await Deno.remove(`${out}/train-data`, { recursive: true }).catch(() => {});
  await withVelocityFeatures(
    fx.transactions({
      rows: options.trainRows,
      seed,
      tokenKey: generateDemoKey({ seed }),
      options: generator,
    }),
  )
    .select(...columns.map((c) => col(c)), col("is_fraud").cast("double").alias("fraud"))
    .write.parquet(`${out}/train-data`);
  const training = await runTraining(fx, {
    input: `${out}/train-data`,
    out,
    models: [modelKind("lr")!],
    label: "fraud",
    split: "random",
    seed,
    importanceRepeats: 0,
    overwrite: true,
    title: "Frontier — Task 4: the fraud model the stream scores with",
    cluster: options.cluster,
  }, {
    log: (line) => log(`task 4 training: ${line}`),
    warn: (line) => log(`warning: ${line}`),
    clock: options.clock,
  });
  const m = training.models[0]!;
  log(
    `task 4: lr fraud model ROC-AUC ${m.metrics["rocAuc"]!.toFixed(4)}, PR-AUC ${
      m.metrics["averagePrecision"]!.toFixed(4)
    }, threshold ${m.threshold.toPrecision(4)} → ${m.path}`,
  );

  const streamDir = `${out}/stream`;
  await Deno.remove(streamDir, { recursive: true }).catch(() => {});
  log(`task 4: streaming ${options.rows} other transactions (seed ${seed + 1}) → ${streamDir}`);
  const query = await readStream.embedded({
    seed: seed + 1,
    totalRows: options.rows,
    partitions: 4,
    ...generator,
    outOfOrderFraction: 0.1,
    lateFraction: 0.01,
    duplicateFraction: 0.01,
    // Repeats of one of the last 4 rows: within the lateness, so dropped as duplicates (not late).
    duplicateMaxLag: 4,
    malformedFraction: 0.005,
  })
    .withWatermark(LATENESS_MS)
    .window("tumbling:1m")
    .groupBy("account")
    .score(m.path)
    .anomalies()
    .trends()
    .writeTo(streamDir)
    .start({ clock: options.clock });
  const metrics = await query.done;
  return { model: m.path, threshold: m.threshold, metrics };
}

/** The lines Task 4 prints. */
export function task4Lines(s: Task4Summary): string[] {
  const m = s.metrics, o = m.outputs;
  return [
    `windows ${o["windows"] ?? 0}, alerts ${o["alerts"] ?? 0} (threshold ${s.threshold.toPrecision(4)}), ` +
    `anomalies ${(o["account_anomalies"] ?? 0) + (o["segment_anomalies"] ?? 0)}, trends ${o["trends"] ?? 0}`,
    `consumed ${m.consumed} = aggregated ${m.aggregated} + late ${m.late} + duplicates ${m.duplicates} + ` +
    `quarantined ${m.quarantined}: ${m.reconciled ? "reconciled" : "NOT RECONCILED"}`,
    `${m.inputRate.overall.toFixed(0)} events/s; event→output latency p50 ${
      m.latencyMs.p50.toFixed(0)
    } ms, ` +
    `p99 ${m.latencyMs.p99.toFixed(0)} ms; watermark lag ${((m.watermarkLagMs ?? 0) / 1000).toFixed(1)} s`,
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      out: { type: "string", default: "out/task4" },
      seed: { type: "string", default: "42" },
      rows: { type: "string", default: "15000" },
    },
  });
  const io = processIo();
  const progress = new Progress({ ...io, err: (t) => console.log(t) }, true);
  await using fx = await Frontier.start({ executors: 2 });
  const summary = await runTask4(fx, {
    out: values.out.replace(/\/+$/, ""),
    seed: Number(values.seed),
    rows: Number(values.rows),
    trainRows: 10_000,
    cluster: "embedded, 2 executors",
    clock: io.clock,
    log: (line) => progress.stage(line),
  });
  for (const line of task4Lines(summary)) console.log(line);
  console.log(`Task 4 done in ${(progress.elapsedMs / 1000).toFixed(1)} s`);
}
