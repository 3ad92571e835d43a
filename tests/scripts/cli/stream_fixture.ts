/**
 * For the `frontier stream` tests: the CLI as a real process, the generated transactions the
 * embedded source streams (as a batch dataset, for oracles), and a fraud model trained on them by
 * `frontier train` over the batch velocity features.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { col, type Dataset, Frontier } from "../../../mod.ts";
import { generateDemoKey } from "../../../cluster/sources/transactions/card_token.ts";
import { VELOCITY_FEATURES, withVelocityFeatures } from "../../../models/features/velocity.ts";
import { runFrontier, spawnFrontier } from "./cli_process.ts";

const DAY = 86_400_000;

/** Runs `frontier <args>` as a process; asserts exit 0 and returns the last stdout line as JSON. */
export async function frontierJson(args: readonly string[]): Promise<Record<string, unknown>> {
  const r = await runFrontier(args);
  assert.equal(r.code, 0, `frontier ${args.join(" ")}:\n${r.err}`);
  return JSON.parse(r.out.trim().split("\n").at(-1)!);
}

export { spawnFrontier };

/** Generated transactions in order-free terms: what `stream run --source embedded` reads. */
export interface GeneratedRows {
  readonly rows: number;
  readonly seed: number;
  readonly fraudRate: number;
  readonly outOfOrder: number;
  readonly latenessMs: number;
  /** Event-time span, days. */
  readonly days: number;
}

/** The `stream run` flags of `g` (embedded source). */
export function embeddedFlags(g: GeneratedRows): string[] {
  return [
    "--source",
    "embedded",
    "--rows",
    String(g.rows),
    "--seed",
    String(g.seed),
    "--span",
    `${g.days}d`,
    "--fraud-rate",
    String(g.fraudRate),
    "--out-of-order",
    String(g.outOfOrder),
    "--lateness",
    `${g.latenessMs}ms`,
  ];
}

/** The rows of `g` as a batch dataset. */
export function generatedDataset(fx: Frontier, g: GeneratedRows): Dataset {
  return fx.transactions({
    rows: g.rows,
    seed: g.seed,
    tokenKey: generateDemoKey({ seed: g.seed }),
    partitions: 2,
    options: {
      durationMs: g.days * DAY,
      fraudRate: g.fraudRate,
      outOfOrderFraction: g.outOfOrder,
      allowedLatenessMs: g.latenessMs,
      lateFraction: 0,
      duplicateFraction: 0,
      malformedFraction: 0,
    },
  });
}

/**
 * A logistic regression trained by `frontier train` on the columns a stream event has and (unless
 * `options.velocity` is false) the batch velocity features of `g`, label `fraud`; resolves to its
 * model directory.
 */
export async function trainFraudModel(
  dir: string,
  g: GeneratedRows,
  options: { readonly velocity?: boolean } = {},
): Promise<string> {
  const velocity = options.velocity ?? true;
  const columns = [
    "merchant_category",
    "amount",
    "channel",
    "country",
    ...(velocity ? VELOCITY_FEATURES.map((f) => f.name) : []),
  ];
  {
    await using fx = await Frontier.start({ executors: 1 });
    await withVelocityFeatures(generatedDataset(fx, g))
      .select(...columns.map((c) => col(c)), col("is_fraud").cast("double").alias("fraud"))
      .write.parquet(join(dir, "train-data"));
  }
  const train = await frontierJson([
    "train",
    "--input",
    join(dir, "train-data"),
    "--label",
    "fraud",
    "--models",
    "lr",
    "--importance-repeats",
    "0",
    "--out",
    join(dir, "train"),
    "--executors",
    "1",
    "--json",
  ]);
  assert.ok(Array.isArray(train["models"]));
  return join(dir, "train", "models", "lr");
}
