/**
 * The quality part of the ML benchmark: prepare the bank files with their splits, run each engine
 * family once over every dataset and split (Frontier, then scikit-learn + LightGBM, then Spark, each
 * in its own measured child), read their test scores back and score them here.
 *
 * @module
 */
import type { Json } from "../../../actors/errors.ts";
import { describeError } from "../harness.ts";
import {
  BANK_DATASETS,
  DEFAULT_OOT_MODEL_SEEDS,
  prepareBankDataset,
  type PreparedManifest,
  testLabels,
} from "./bank_data.ts";
import { readScores } from "./engine_result.ts";
import { runFrontierChild } from "./frontier_child.ts";
import type { PartContext } from "./part_context.ts";
import { PEER_ENV, type PeerRun, runPeer } from "./peers.ts";
import { type QualityReport, qualityReport, type ScoredFit, type TestSet } from "./quality_report.ts";
import { type EngineSettings, formatSettings, qualitySettings, REPLICATED_MODELS } from "./settings.ts";

/** What the quality part measured. */
export interface QualityOutcome {
  manifests: PreparedManifest[];
  settings: EngineSettings;
  report: QualityReport;
  /** Each engine child: versions, process wall time and peak RSS, command. */
  children: Record<string, Json>;
}

function familyJob(
  family: "frontier" | "sklearn" | "spark",
  manifests: PreparedManifest[],
  settings: EngineSettings,
  ctx: PartContext,
): Record<string, Json> {
  const pick = (names: Record<string, string>) =>
    Object.fromEntries(Object.entries(names).map(([m, e]) => [m, settings[e]!]));
  const params = family === "frontier"
    ? pick({ lr: "frontier-lr", rf: "frontier-rf", gbt: "frontier-gbt" })
    : family === "sklearn"
    ? pick({ lr: "sklearn-lr", rf: "sklearn-rf", gbt: "lightgbm" })
    : pick({ lr: "spark-lr", rf: "spark-rf", gbt: "spark-gbt" });
  return {
    datasets: manifests.map((m) => ({
      ...m,
      splits: m.splits.map((s) => ({ ...s, counts: { ...s.counts } })),
    })),
    splits: manifests[0]!.splits.map((s) => s.column),
    models: ["lr", "rf", "gbt"],
    params,
    replicated: [...REPLICATED_MODELS],
    outDir: `${ctx.dir}/scores`,
    threads: ctx.threads,
    executors: ctx.threads,
    driverMemory: "4g",
  };
}

/** Runs the quality part; engines that cannot run here are skipped through `ctx.skip`. */
export async function runQualityPart(ctx: PartContext): Promise<QualityOutcome> {
  const { log } = ctx;
  const settings = qualitySettings(ctx.quick);
  const ootSeeds = ctx.quick ? DEFAULT_OOT_MODEL_SEEDS.slice(0, 2) : DEFAULT_OOT_MODEL_SEEDS;
  log(
    `== ML quality: bank data without duration; random stratified 80/20 × seeds ${
      ctx.seeds.join(", ")
    }, and out-of-time 80/20 (${REPLICATED_MODELS.join(", ")}: mean of model seeds ${
      ootSeeds.join(", ")
    }) ==`,
  );
  const manifests: PreparedManifest[] = [];
  for (const d of BANK_DATASETS) {
    manifests.push(
      await prepareBankDataset(d, {
        dir: `${ctx.dir}/data`,
        seeds: ctx.seeds,
        ootModelSeeds: ootSeeds,
      }),
    );
  }
  for (const m of manifests) {
    const s = m.splits[0]!.counts;
    log(
      `  ${m.dataset}: ${m.rows} rows, ${m.positives} positive; per split fit ${s.fit}, valid ${s.valid}, test ${s.test} ` +
        `(valid: the early-stopping rows, last 10% of training rows out of time); ${m.numeric.length} numeric, ` +
        `${m.categorical.length} categorical columns`,
    );
  }
  log("  settings (pinned):");
  for (const line of formatSettings(settings)) log(`    ${line}`);
  log(`    peer processes: ${Object.entries(PEER_ENV).map(([k, v]) => `${k}=${v}`).join(" ")}`);

  const children: Record<string, Json> = {};
  const runs: PeerRun[] = [];
  const attempt = async (name: string, run: () => Promise<PeerRun>) => {
    try {
      const r = await run();
      runs.push(r);
      children[name] = {
        versions: r.versions,
        wallMs: r.wallMs,
        peakRssMb: r.peakRssMb,
        cpuSeconds: r.cpuSeconds ?? null,
        loadAvg: r.loadAvg,
        command: r.command,
      };
      log(
        `  ${name}: ${(r.wallMs / 1000).toFixed(1)} s, peak RSS ${
          r.peakRssMb.toFixed(0)
        } MiB (${r.results.length} fits)`,
      );
    } catch (e) {
      ctx.skip(`quality/${name}`, describeError(e));
      if (name === "frontier") ctx.failures.push(`quality/frontier: ${describeError(e)}`);
    }
  };
  await attempt(
    "frontier",
    () =>
      runFrontierChild("quality", familyJob("frontier", manifests, settings, ctx), {
        jobPath: `${ctx.dir}/job-quality-frontier.json`,
        signal: ctx.signal,
      }),
  );
  if (ctx.python === undefined) ctx.skip("quality/sklearn", ctx.pythonMissing ?? "no python");
  else {
    const python = ctx.python;
    await attempt(
      "sklearn",
      () =>
        runPeer("sklearn", { mode: "quality", job: familyJob("sklearn", manifests, settings, ctx) }, {
          python,
          jobPath: `${ctx.dir}/job-quality-sklearn.json`,
          signal: ctx.signal,
        }),
    );
    if (ctx.sparkMissing !== undefined) ctx.skip("quality/spark", ctx.sparkMissing);
    else {
      await attempt(
        "spark",
        () =>
          runPeer("spark", { mode: "quality", job: familyJob("spark", manifests, settings, ctx) }, {
            python,
            jobPath: `${ctx.dir}/job-quality-spark.json`,
            signal: ctx.signal,
          }),
      );
    }
  }

  const sets: TestSet[] = [];
  for (const m of manifests) {
    const csv = await Deno.readTextFile(m.path);
    for (const s of m.splits) {
      const labels = testLabels(csv, s.column, m);
      // One test set per model seed: a replicated engine's fit with that seed beside the single fit
      // of every other engine, so the split's figure is the mean over its seeds.
      const perSeed = s.modelSeeds.map(() => [] as ScoredFit[]);
      for (const r of runs.flatMap((run) => run.results)) {
        if (r.dataset !== m.dataset || r.split !== s.column) continue;
        const fit: ScoredFit = {
          engine: r.engine,
          ...(r.modelSeed === undefined ? {} : { modelSeed: r.modelSeed }),
          fitSeconds: r.fitSeconds,
          scores: await readScores(r.scores, labels.length),
          extra: r.extra,
        };
        const at = r.modelSeed === undefined ? -1 : s.modelSeeds.indexOf(r.modelSeed);
        if (r.modelSeed !== undefined && at < 0) {
          throw new RangeError(`${r.engine} reported model seed ${r.modelSeed}, not one of ${s.column}'s`);
        }
        for (const [k, fits] of perSeed.entries()) if (at < 0 || at === k) fits.push(fit);
      }
      for (const [k, fits] of perSeed.entries()) {
        sets.push({
          dataset: m.dataset,
          split: s.column,
          modelSeed: s.modelSeeds[k]!,
          kind: s.kind,
          labels,
          fits,
        });
      }
    }
  }
  const report = qualityReport(sets, { resamples: ctx.resamples, seed: 20250 });
  log("");
  for (const line of report.lines) log(`  ${line}`);
  return { manifests, settings, report, children };
}
