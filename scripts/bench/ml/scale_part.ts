/**
 * The scale part of the ML benchmark: boosted trees on generated transactions (`fx.transactions`,
 * label `is_fraud`) on `threads` embedded executors, in a measured child (`frontier_scale.ts`):
 * wall time and peak RSS of the whole process, the feature pipeline's and the training's time, and
 * the test ROC-AUC. Not run under `--quick`.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { denoChildArgs, describeError, runJsonChild } from "../harness.ts";
import { numberField } from "../measure.ts";
import type { BenchFigure } from "../report.ts";
import type { PartContext } from "./part_context.ts";
import { formatSettings } from "./settings.ts";

/** What the scale part measured. */
export interface ScaleOutcome {
  figure?: BenchFigure;
  json: Json;
}

/** Boosting settings of the scale part (the speed part's shape). */
export const SCALE_PARAMS: Record<string, Json> = {
  numRounds: 100,
  numLeaves: 63,
  learningRate: 0.1,
  minDataInLeaf: 20,
  maxBins: 255,
  seed: 0,
};

/** Runs the scale part on `rows` transactions. */
export async function runScalePart(ctx: PartContext, sizes: { rows: number }): Promise<ScaleOutcome> {
  ctx.log(`\n== ML scale: boosted trees on ${sizes.rows} generated transactions (label is_fraud) ==`);
  for (const line of formatSettings({ "frontier-gbt": SCALE_PARAMS })) ctx.log(`  ${line}`);
  const job = { rows: sizes.rows, testRows: 200_000, seed: 11, executors: ctx.threads, params: SCALE_PARAMS };
  const jobPath = `${ctx.dir}/job-scale-frontier.json`;
  await Deno.writeTextFile(jobPath, JSON.stringify(job));
  const script = new URL("./frontier_scale.ts", import.meta.url);
  const args = denoChildArgs(script, ["--job", jobPath]);
  try {
    const { run, line } = await runJsonChild(Deno.execPath(), args, {
      what: "Frontier scale child",
      signal: ctx.signal,
    });
    const fitSeconds = numberField(line, "fitSeconds");
    ctx.log(
      `  frontier-gbt  training ${fitSeconds.toFixed(1)} s, features ${
        numberField(line, "featuresSeconds").toFixed(1)
      } s, process ${(run.wallMs / 1000).toFixed(1)} s, peak RSS ${
        run.peakRssMb.toFixed(0)
      } MiB, test ROC-AUC ${numberField(line, "testRocAuc").toFixed(4)} (${
        numberField(line, "testRows")
      } rows)`,
    );
    const result = JSON.parse(JSON.stringify(line)) as Record<string, Json>;
    return {
      figure: {
        suite: "ml_scale_gbt",
        engine: "frontier-gbt",
        wallMs: fitSeconds * 1000,
        peakRssMb: run.peakRssMb,
        extra: { processMs: run.wallMs, ...result },
      },
      json: { ...result, processMs: run.wallMs, peakRssMb: run.peakRssMb, command: `deno ${args.join(" ")}` },
    };
  } catch (e) {
    ctx.skip("scale/frontier-gbt", describeError(e));
    ctx.failures.push(`scale/frontier-gbt: ${describeError(e)}`);
    return { json: { rows: sizes.rows, failed: describeError(e) } };
  }
}
