/**
 * Runs the external engines of the side-by-side benchmark standalone, checks each result against the
 * TypeScript reference, and prints one JSON document on stdout (a ratio table goes to stderr).
 *
 * ```sh
 * deno run -A scripts/bench/job10m/external_main.ts --rows 10000000 [--engines duckdb,spark] [--repeat 1]
 *                                            [--report out/bench/external.json]
 * ```
 *
 * Exits 1 when an engine's result differs from the reference.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { Json } from "../../../actors/errors.ts";
import { runDuckdbExternal } from "./external_duckdb.ts";
import { runSparkExternal } from "./external_spark.ts";
import {
  checkJobResult,
  type EngineRun,
  type EngineSkipped,
  JOB_10M_DEFAULT_ROWS,
  referenceJob,
  validateJobRows,
} from "./job_10m.ts";
import { engineRunToFigure, formatRatios, writeBenchReport } from "../report.ts";

/** Engines this script knows. */
export const EXTERNAL_ENGINES = ["duckdb", "spark"] as const;

/** Options of {@linkcode runExternalEngines}. */
export interface ExternalRunOptions {
  rows: number;
  engines: readonly (typeof EXTERNAL_ENGINES)[number][];
  /** Spark query repetitions in one session (wallMs is the fastest). @default {1} */
  repeat?: number;
  signal?: AbortSignal;
}

/** One engine's outcome with its check against the reference. */
export type CheckedRun = (EngineRun & { check: { ok: boolean; mismatches: string[] } }) | EngineSkipped;

/** Runs the engines one after the other (never together: they would share the 2 cores) and checks them. */
export async function runExternalEngines(options: ExternalRunOptions): Promise<CheckedRun[]> {
  const expected = referenceJob(validateJobRows(options.rows));
  const out: CheckedRun[] = [];
  for (const engine of options.engines) {
    const common = {
      rows: options.rows,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    const run = engine === "duckdb"
      ? await runDuckdbExternal(common)
      : await runSparkExternal({ ...common, repeat: options.repeat ?? 1 });
    out.push("skipped" in run ? run : { ...run, check: checkJobResult(run.rows, expected) });
  }
  return out;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rows: { type: "string", default: String(JOB_10M_DEFAULT_ROWS) },
      engines: { type: "string", default: EXTERNAL_ENGINES.join(",") },
      repeat: { type: "string", default: "1" },
      report: { type: "string" },
    },
  });
  const engines = values.engines.split(",").map((e) => e.trim()).filter((e) => e !== "");
  for (const e of engines) {
    if (!(EXTERNAL_ENGINES as readonly string[]).includes(e)) {
      throw new TypeError(`Cannot run engine "${e}": expected one of ${EXTERNAL_ENGINES.join(", ")}`);
    }
  }
  const rows = Number(values.rows);
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  Deno.addSignalListener("SIGINT", onInterrupt);
  let runs: CheckedRun[];
  try {
    runs = await runExternalEngines({
      rows,
      engines: engines as (typeof EXTERNAL_ENGINES)[number][],
      repeat: Number(values.repeat),
      signal: controller.signal,
    });
  } finally {
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
  const measured = runs.filter((r): r is Exclude<CheckedRun, EngineSkipped> => !("skipped" in r));
  const figures = measured.map((r) => engineRunToFigure("job_10m", r));
  if (figures.length > 0) console.error(formatRatios(figures, { baseline: "duckdb" }));
  const doc = { suite: "job_10m", rows, expected: referenceJob(rows), runs };
  console.log(JSON.stringify(doc, undefined, 2));
  if (values.report !== undefined) {
    await writeBenchReport(values.report, figures, {
      meta: { rows, engines: engines as Json, deno: Deno.version.deno },
    });
  }
  return measured.every((r) => r.check.ok) ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
